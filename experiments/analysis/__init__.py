"""Analysis of finished experiments: paired differences, intervals, sensitivity, figures."""

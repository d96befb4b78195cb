"""The sweep engine: configs, designs, run specs, executors, store, sweeps, reproduce. It
imports no analysis or plotting."""

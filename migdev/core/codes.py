"""Codes shared by every layer: occupations, statuses, channels, agreement kinds, streams."""

from __future__ import annotations

#: occupation codes (index into per-occupation arrays)
HEALTH, EDUCATION, OTHER, LOW = 0, 1, 2, 3
OCCUPATIONS = ("health", "education", "other_skilled", "low_skilled")
SKILLED = (HEALTH, EDUCATION, OTHER)

#: occupation sets an agreement can cover
OCCUPATION_SETS = {
    "health": (HEALTH,),
    "health+education": (HEALTH, EDUCATION),
    "skilled": (HEALTH, EDUCATION, OTHER),
    "all": (HEALTH, EDUCATION, OTHER, LOW),
}

#: "none" means no headline agreement; the others are the three kinds of docs/ODD.md §7.1
AGREEMENT_KINDS = ("none", "restrictive", "circular", "multilateral")

#: a person's status
HOME, TEMP, SETTLED, IRREGULAR, RETURNED = 0, 1, 2, 3, 4
STATUSES = ("home", "abroad_temporary", "abroad_settled", "abroad_irregular", "returned")

#: the paths of those who ever emigrated (ODD §4.11), in the order of the tallies' counts:
#: two or more stays; one stay, now home; abroad, remitting, association member, strong
#: ties; abroad otherwise
PATH_NAMES = ("circulated", "returned_once", "transnational", "settled")

#: recruitment channel of the current (or last) stay
CH_AGREEMENT, CH_REGULATED, CH_UNREGULATED, CH_INDEPENDENT, CH_INITIAL = 0, 1, 2, 3, 4
CHANNELS = ("agreement", "agency_regulated", "agency_unregulated", "independent", "initial")

#: the mechanisms that draw random numbers, one stream each (docs/ODD.md §4.9). New
#: streams go at the end so that existing ones keep their numbers.
STREAMS = ("init", "demography", "agency", "recruit", "decide", "work", "remit", "mission",
           "returns", "allocate", "measure", "g2g", "rounding", "rehire",
           "employers", "substitution", "persons")
# (a stream is only ever added at the end: the others keep their numbers)

"""The codes stored in the workforce arrays: status, migration status, recognition, credential, scheme bits.

A leaf module: every other module may import it, it imports nothing of fowsim.
"""

from __future__ import annotations

# status: every slot is in exactly one; EMPLOYED is a formal job at an employer, INFORMAL work outside them
VACANT, EMPLOYED, UNEMPLOYED, TRAINING, INFORMAL = 0, 1, 2, 3, 4
STATUS_NAMES = ("vacant", "employed", "unemployed", "training", "informal")
N_STATES = 5
ACTIVE = (EMPLOYED, UNEMPLOYED, INFORMAL)  # in the labour force and on the market (not in full-time training)
# migration status
NATIVE, TEMPORARY, PERMANENT, REFUGEE, RETURNEE = 0, 1, 2, 3, 4
MIGRATION_NAMES = ("native", "temporary_migrant", "permanent_migrant", "refugee", "returnee")
# recognition of the highest credential where the worker lives
NOT_NEEDED, PENDING, RECOGNISED, DOWNGRADED = 0, 1, 2, 3
RECOGNITION_NAMES = ("not_needed", "pending", "recognised", "downgraded")
# credential (highest qualification), aligned with ISCO-08 skill levels 1..4
CREDENTIAL_NAMES = ("primary", "secondary", "post_secondary", "tertiary")
N_CREDENTIALS = 4
SECONDARY = 1
POST_SECONDARY = 2
TERTIARY = 3
YOUTH_MONTHS = 300  # workers younger than 25 (in months of age) count as youth (15-24)
LONG_TERM_MONTHS = 12  # unemployed this many months or more: long-term unemployed (ILO, Eurostat)
# programmes and schemes a worker has been through (bits of `Workforce.scheme`)
TRAINED = 1  # completed any training programme
RESKILLED = 2  # completed a reskilling programme (policy `reskilling`)
PREPARED = 4  # completed pre-departure training (policy `pre_departure`)
PARTNER = 8  # graduate of a skills partnership (policy `skills_partnership`)
CIRCULAR = 16  # on or back from a circular mobility scheme (policy `circular_mobility`)
LONG_TERM = 32  # moved on a long-term mobility channel or joined family there (policy `long_term_mobility`)
DIASPORA_TRAINED = 64  # trained by diaspora members (policy `diaspora_training`)
ENTREPRENEUR = 128  # graduate of entrepreneurship training (policy `entrepreneurship_training`)
FAMILY_DONE = 256  # a long-term migrant whose family member has joined, or who joined as one

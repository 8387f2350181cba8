"""Skilling and mobility policies: plug-ins that act through the agents, the books and the worker rules.

A policy subclasses `Policy` (`fowsim.policies.base`), declares each parameter once with `param`
(default, allowed range, unit, basis: `fowsim.policies.params`), checks it against the world in
`check`, and acts each month of its active period in `act` (the model's `policies` phase), drawing
only from its own random stream. Policies that train run their own `TrainingProvider`s, which the
`training` phase advances and pays; every euro of public money is charged to the policy's `budget`,
which spending never exceeds.

The thirteen policies of the catalogue, by family: `fowsim.policies.training` (reskilling,
upskilling, online, diaspora, demand-led and entrepreneurship training),
`fowsim.policies.mobility` (pre-departure training, skills partnerships, circular and long-term
mobility, mobility restrictions, the reform of employer-tied visas) and
`fowsim.policies.recognition`. They are registered in `REGISTRY` under their config names; a
config composes them as `policy=[reskilling,recognition]`, each under `policy.<name>`.
"""

from __future__ import annotations

from fowsim.policies.base import Policy, RegionalTraining, stochastic_round
from fowsim.policies.mobility import (
    CircularMobility,
    LongTermMobility,
    MobilityRestrictions,
    PreDeparture,
    SkillsPartnership,
    SponsorshipReform,
)
from fowsim.policies.params import Param, param
from fowsim.policies.recognition import Recognition
from fowsim.policies.registry import REGISTRY, build_policies, register
from fowsim.policies.training import (
    DemandLedTraining,
    DiasporaTraining,
    EntrepreneurshipTraining,
    OnlineTraining,
    Reskilling,
    Upskilling,
)

__all__ = [
    "REGISTRY",
    "CircularMobility",
    "DemandLedTraining",
    "DiasporaTraining",
    "EntrepreneurshipTraining",
    "LongTermMobility",
    "MobilityRestrictions",
    "SponsorshipReform",
    "OnlineTraining",
    "Param",
    "Policy",
    "PreDeparture",
    "Recognition",
    "RegionalTraining",
    "Reskilling",
    "SkillsPartnership",
    "Upskilling",
    "build_policies",
    "param",
    "register",
    "stochastic_round",
]

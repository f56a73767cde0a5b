"""The referral exchange's front door for other domains: figures about the exchange.

    from referrals import api as referrals
    counts = await referrals.count_by_state()
"""

from __future__ import annotations

from piccolo.query.functions.aggregate import Count

from referrals import figure_reads, figures, monthly, notifications
from referrals.states import State
from referrals.tables import Referral


async def count_by_state() -> dict[str, int]:
    """How many referrals are in each state (every state named, 0 when none)."""
    rows = await Referral.select(Referral.state, Count(alias="n")).group_by(Referral.state)
    counts = {state.value: 0 for state in State}
    counts.update({row["state"]: int(row["n"]) for row in rows})
    return counts


# --- figures for the analysis: counts and durations over groups, nothing about a person --------
FigureScope = figures.Scope
SentCount = figures.SentCount
StateCount = figures.StateCount
ProviderCount = figures.ProviderCount
LanguageCount = figures.LanguageCount
ChainCount = figures.ChainCount
Spread = figures.Spread
WaitCount = figures.WaitCount
# The network's figures come from the monthly counts, an organisation's from the tables.
sent_counts = figure_reads.sent_counts
state_counts = figure_reads.state_counts
provider_counts_by_organization = figure_reads.provider_counts_by_organization
provider_counts_by_need = figure_reads.provider_counts_by_need
language_counts = figure_reads.language_counts
chain_counts = figure_reads.chain_counts
answer_spreads = figure_reads.answer_spreads
wait_spreads = figure_reads.wait_spreads
wait_counts = figure_reads.wait_counts
# Recompute the monthly counts from the referral tables (all months, or those named).
rebuild_figures = monthly.rebuild
# Catalog ids of needs, reasons and states (translate where shown).
NEED_LABELS = notifications.NEED_LABELS
REASON_LABELS = notifications.REASON_LABELS
STATE_LABELS = notifications.STATE_LABELS

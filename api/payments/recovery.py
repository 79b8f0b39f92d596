"""What each stage of council tax recovery means for the resident, in plain English (docs/domain.md).

A missed instalment brings a reminder; not paying within 7 days brings a final notice and the loss of
instalments; then a summons with costs and a liability order. At every stage an arrangement is still
possible and free, independent debt advice is there.
"""

from __future__ import annotations

DEBT_ADVICE = "Free, independent debt advice is available from Citizens Advice, StepChange and National Debtline."

EXPLANATIONS = {
    "none": "There is no recovery action on your account. If you are finding it hard to pay, contact us early: "
    "we can talk about an arrangement to pay. " + DEBT_ADVICE,
    "reminder": "We sent you a reminder because an instalment was missed. Pay the amount on the reminder within "
    "7 days to keep paying by instalments; if it is not paid, we will send a final notice and you will "
    "lose the right to pay by instalments. If you cannot pay, contact us: we can still agree an "
    "arrangement. " + DEBT_ADVICE,
    "final_notice": "We sent you a final notice because the reminder was not paid in time. You have lost the right "
    "to pay by instalments, so the whole balance for the year is now due. Pay it within 7 days to "
    "avoid a court summons, which adds costs. If you cannot pay it all, contact us now: an "
    "arrangement is still possible. " + DEBT_ADVICE,
    "summons": "We have asked the magistrates' court for a liability order and a summons has been issued, which "
    "adds court costs to your balance. Paying the whole balance, with the costs, before the hearing "
    "stops the case. If you cannot, contact us before the hearing: an arrangement is still possible. " + DEBT_ADVICE,
    "liability_order": "The magistrates' court has granted a liability order for the unpaid balance and costs. It "
    "lets us recover the debt, for example by deductions from wages or benefits, or through "
    "enforcement agents. Contact us as soon as you can: an arrangement to pay is still "
    "possible. " + DEBT_ADVICE,
}
# From the final notice on the whole balance is due at once: instalments no longer apply.
INSTALMENTS_LOST = frozenset({"final_notice", "summons", "liability_order"})


def explain(stage: str) -> str:
    """Return the plain-English explanation of a recovery stage."""
    return EXPLANATIONS[stage]

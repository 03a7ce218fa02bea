"""Assignment rules: first match by priority, same-priority rules never overlap; a worked example
of ten accounts, each landing in a portfolio for a reason stated here."""

from __future__ import annotations

import uuid
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from ar_collections.domain.assignment import AccountFacts, Rule, decide, matches, overlapping, overlaps

P = {
    name: uuid.uuid5(uuid.NAMESPACE_DNS, name)
    for name in ("key", "risk", "dach_large", "dach", "uk", "rep", "other")
}


def rule(name: str, portfolio: str, priority: int, **criteria: Any) -> Rule:
    return Rule(
        id=uuid.uuid5(uuid.NAMESPACE_URL, name), portfolio_id=P[portfolio], priority=priority, **criteria
    )


RULES = [
    rule("key accounts", "key", 10, attribute_key="segment", attribute_value="key_account"),
    rule("very high risk", "risk", 20, risk_class="very_high"),
    # two rules of one priority: bands that cannot both hold (below / from 50,000.00 EUR)
    rule(
        "DE01 from 50k",
        "dach_large",
        30,
        business_entity="DE01",
        balance_currency="EUR",
        balance_min_minor=5_000_000,
    ),
    rule(
        "DE01 below 50k",
        "dach",
        30,
        business_entity="DE01",
        balance_currency="EUR",
        balance_max_minor=5_000_000,
    ),
    rule("Great Britain", "uk", 40, country="GB"),
    rule("DACH region", "dach", 50, region="DACH"),
    rule("Sam's customers", "rep", 60, attribute_key="sales_rep", attribute_value="sam@example.com"),
    rule("everyone else", "other", 1000),
]

# account -> (facts, expected portfolio, the rule that decides)
TEN_ACCOUNTS = {
    # a key account goes to the key-account desk whatever else holds: priority 10 is tried first
    "1 key account in DE01 with 80k": (
        AccountFacts("DE01", balances={"EUR": 8_000_000}, attributes={"segment": "key_account"}),
        "key", "key accounts"),
    # very high risk beats the entity rules (20 < 30)
    "2 very high risk in DE01": (
        AccountFacts("DE01", risk_class="very_high", balances={"EUR": 100}), "risk", "very high risk"),
    # 50,000.00 EUR exactly is "from 50k" (min inclusive)
    "3 DE01 with exactly 50k": (
        AccountFacts("DE01", balances={"EUR": 5_000_000}), "dach_large", "DE01 from 50k"),
    # 49,999.99 EUR is "below 50k" (max exclusive)
    "4 DE01 with 49,999.99": (AccountFacts("DE01", balances={"EUR": 4_999_999}), "dach", "DE01 below 50k"),
    # no balance at all counts as 0: below 50k
    "5 new DE01 account": (AccountFacts("DE01"), "dach", "DE01 below 50k"),
    # a British customer of the UK entity
    "6 UK01 in GB": (AccountFacts("UK01", country="GB"), "uk", "Great Britain"),
    # AT01 is not DE01, so the band rules pass; region DACH decides
    "7 AT01 in the DACH region": (AccountFacts("AT01", country="AT", region="DACH"), "dach", "DACH region"),
    # a band in EUR does not hold for a USD balance: DE01 with 90k USD is "below 50k" EUR (0 EUR)
    "8 DE01 billing USD": (AccountFacts("DE01", balances={"USD": 9_000_000}), "dach", "DE01 below 50k"),
    # the sales rep is an attribute the ledger gives every account
    "9 Sam's customer in FR01": (
        AccountFacts("FR01", attributes={"sales_rep": "sam@example.com"}), "rep", "Sam's customers"),
    # nothing specific: the catch-all
    "10 FR01, nobody's": (AccountFacts("FR01", country="FR"), "other", "everyone else"),
}  # fmt: skip


def test_ten_accounts_land_in_the_portfolio_of_the_first_rule_they_meet() -> None:
    landed = {}
    for name, (facts, _, _) in TEN_ACCOUNTS.items():
        decision = decide(list(reversed(RULES)), facts)  # the order rules are given in does not matter
        assert decision.rule is not None
        landed[name] = (decision.portfolio_id, decision.rule.id)
    assert landed == {
        name: (P[portfolio], uuid.uuid5(uuid.NAMESPACE_URL, rule_name))
        for name, (_, portfolio, rule_name) in TEN_ACCOUNTS.items()
    }


def test_a_decision_says_why_each_earlier_rule_did_not_match() -> None:
    facts, _, _ = TEN_ACCOUNTS["7 AT01 in the DACH region"]
    decision = decide(RULES, facts)
    reasons = {r.id: why for r, why in decision.passed_over}
    assert reasons == {
        RULES[0].id: ("segment is None, not 'key_account'",),
        RULES[1].id: ("risk_class is None, not 'very_high'",),
        RULES[2].id: ("business_entity is 'AT01', not 'DE01'", "EUR balance 0 is below 5000000"),
        RULES[3].id: ("business_entity is 'AT01', not 'DE01'",),
        RULES[4].id: ("country is 'AT', not 'GB'",),
    }
    assert decision.rule == RULES[5]


def test_without_a_matching_rule_the_account_is_unassigned() -> None:
    assert decide(RULES[:-1], AccountFacts("FR01")).rule is None


def test_rules_of_one_priority_that_could_match_one_account_overlap() -> None:
    dach_large, dach_small = RULES[2], RULES[3]
    assert not overlaps(dach_large, dach_small)
    everyone_de = rule("all DE01", "dach", 30, business_entity="DE01")
    assert [r.id for r in overlapping(everyone_de, RULES)] == [dach_large.id, dach_small.id]
    # another priority never clashes
    assert overlapping(rule("all DE01 later", "dach", 31, business_entity="DE01"), RULES) == []
    # a country and a region can both hold for one account
    assert overlaps(rule("a", "uk", 5, country="GB"), rule("b", "dach", 5, region="DACH"))
    # two attributes with different keys too; the same key with another value cannot
    assert overlaps(rule("a", "uk", 5, attribute_key="segment", attribute_value="x"),
                    rule("b", "uk", 5, attribute_key="sales_rep", attribute_value="y"))  # fmt: skip
    assert not overlaps(rule("a", "uk", 5, attribute_key="segment", attribute_value="x"),
                        rule("b", "uk", 5, attribute_key="segment", attribute_value="y"))  # fmt: skip


# small universes, so that a brute-force search over accounts can find a witness
_VALUES = st.sampled_from(["a", "b"]) | st.none()
_AMOUNT = st.sampled_from([0, 100, 200, 300])


@st.composite
def rules(draw: st.DrawFn) -> Rule:
    currency = draw(st.sampled_from(["EUR", "USD"]) | st.none())
    low = draw(_AMOUNT | st.none()) if currency else None
    high = (
        draw(st.sampled_from([100, 200, 300]) | st.none()) if currency else None
    )  # a band below 0 holds for no account
    if low is not None and high is not None and low >= high:
        low, high = None, high
    if currency and low is None and high is None:
        currency = None
    key = draw(st.sampled_from(["segment", "sales_rep"]) | st.none())
    return Rule(
        id=uuid.uuid4(),
        portfolio_id=P["other"],
        priority=1,
        business_entity=draw(_VALUES),
        country=draw(_VALUES),
        region=draw(_VALUES),
        risk_class=draw(_VALUES),
        balance_currency=currency,
        balance_min_minor=low,
        balance_max_minor=high,
        attribute_key=key,
        attribute_value=draw(st.sampled_from(["a", "b"])) if key else None,
    )


def _universe() -> list[AccountFacts]:
    """One account per combination of the values rules mention: a representative of every case.

    Bands are [min, max) with ends from {0, 100, 200, 300}, so the left ends represent every
    stretch of balance; a criterion left out of a rule is met by any value, so "a" and "b" suffice.
    """
    values = ("a", "b")
    return [
        AccountFacts(e, c, r, k, {"EUR": eur, "USD": usd}, {"segment": s, "sales_rep": p})
        for e in values for c in values for r in values for k in values
        for eur in (0, 100, 200, 300) for usd in (0, 100, 200, 300)
        for s in values for p in values
    ]  # fmt: skip


UNIVERSE = _universe()


@given(rules(), rules())
def test_two_rules_overlap_exactly_when_some_account_matches_both(a: Rule, b: Rule) -> None:
    both = any(matches(a, f) and matches(b, f) for f in UNIVERSE)
    assert overlaps(a, b) == both
    assert overlaps(a, b) == overlaps(b, a)

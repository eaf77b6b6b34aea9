"""How the planner reads words: which carry no meaning, which are everyday English (never a name or a value),
how a word is reduced to its stem, and which everyday words are related (rain is weather, a share is a
stock). General English only: no tool and no argument is named here.
"""

from __future__ import annotations

import re
from functools import cache

STOPWORDS = frozenset(
    """a an the of for to in on at by with and or nor but is are was were be been being am what what's whats
    how how's much many me my mine our ours we us you your yours i i'm i'd i've it its it's this that these
    those there there's here their theirs they them he she his her do does did done from as e g eg i.e ie
    current currently latest now today also then some any all use using value please can could would should
    will shall may might must tell give get got let let's just like into onto out over than too very really
    so if when where which who whom whose why whether not no yes ok okay hey hi hello yo thanks thank you'd
    one ones right again kindly quick quickly mean means""".split()
)
"""Words that never decide which tool a message asks for."""

WEAK = frozenset(
    """do doing go going goes went gone have has had having make makes making made take takes taking took
    gets getting give gives gave need needs want wants wanted know think look looks looking see seen find
    found check checking say says said ask asked work works working run runs running put puts open opened
    opening close closed closing create file raise report log submit send start stop help try keep keeps
    happen happening compare compared comparing versus vs both each either between become turn turns move
    moving change changes changed come coming feel feels seem seems fix fixed broken break breaks drop drops
    dropping dropped fail fails failing failed crash crashes crashed stuck slow up down show shows display
    view list calculate compute out solve figure tell about around same different other another good bad
    great fine well better best worse worst new old big small high low medium next last first second third
    few more most less least whole full half soon later early late ago still yet already ever never always
    often usually sometimes here tomorrow yesterday tonight morning afternoon evening night week weekend
    month day days hour hours minute minutes time moment presently lately recently recent newest oldest
    thing things stuff something anything everything nothing people person someone anyone everyone way lot
    lots bit kind sort type after before since until while per every each instead maybe probably me mine
    myself anybody somebody whats hows don't doesn't isn't aren't won't can't cannot couldn't wouldn't
    shouldn't i'll we're we've you're they're jan feb mar apr jun jul aug sep oct nov dec january february
    march april may june july august september october november december monday tuesday wednesday thursday
    friday saturday sunday""".split()
)
"""Everyday verbs, adjectives and time words: a tool's description may use them ("work in progress"), but
they say little about which tool is meant, and are never a value."""

COMMON = (
    STOPWORDS
    | WEAK
    | frozenset(
        """trade trading traded cost costs worth pay paid buy sell sold hold grow grows growth earn earns end
        ends ending hot cold warm cool chilly nice sunny rainy cloudy windy wet dry snowy stormy foggy humid
        double triple outside inside year years number numbers result results answer answers question
        questions problem problems issue issues info information data details detail update status price
        prices stock stocks share shares market quote quotes ticket tickets project projects team teams
        company companies weather temperature temp rain raining snow snowing wind like sky degrees forecast
        umbrella jacket coat sunglasses dollars dollar euros euro pounds bucks money cash amount percent pct
        interest return returns rate invest invested investing investment deposit savings total sum add plus
        minus times divided multiplied power root square cubed squared average currently""".split()
    )
)
"""Everyday words: they may say which tool is meant, but are never a value (a city, a company, a title)."""

REFERENCES = frozenset("it its that this there them those same again above result answer".split())
"""Words that point back at something said earlier ("double that", "open a ticket for it")."""

_RELATED_GROUPS = (
    """weather rain rains raining rained rainy drizzle drizzling snow snows snowing snowed snowy sunny sun
    sunshine sunglasses sunscreen cloudy cloud clouds wind winds windy storm storms stormy hot cold warm
    warmer colder chilly freezing temperature temp degrees forecast humid humidity umbrella jacket coat scarf
    gloves outside celsius fahrenheit fog foggy conditions nice""",
    """stock stocks share shares trading trade trades traded quote quotes ticker market markets equity
    nasdaq nyse price prices priced cost costs worth valued stockmarket""",
    """invest invests invested investing investment investments deposit deposited savings save saving grow
    grows growing grown growth return returns interest compound compounded compounding yield earn earns
    earning roi""",
    """dollars dollar usd euros euro eur pounds gbp bucks cash money amount sum""",
    """ticket tickets incident incidents outage broken fault faulty helpdesk support problem report raise
    file log submit create""",
    """list show display see view recent all""",
    """ip address addresses network internet public egress external wan""",
    """jira project projects sprint sprints velocity backlog bug bugs metrics metric stats statistics
    progress delivery deliver delivering delivered cycle kpi kpis""",
    """calculate calculation compute solve math maths arithmetic evaluate plus minus divided
    multiplied power root squared cubed""",
)


def stem(word: str) -> str:
    """A rough stem, the same for a word's usual forms: price/prices, rain/raining, close/closed."""
    word = word.lower().strip(".'\u2019")
    if word.endswith(("'s", "\u2019s")):
        word = word[:-2]
    if len(word) <= 3:
        return word
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith(("sses", "xes", "ches", "shes", "zes")):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    if len(word) > 5 and word.endswith("ing"):
        word = word[:-3]
    elif len(word) > 4 and word.endswith("ed"):
        word = word[:-2]
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "lsz":
        word = word[:-1]  # running -> runn -> run
    return word.rstrip("e") if len(word) > 3 else word


WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:['\u2019][A-Za-z]+)?")
"""A word, an apostrophe's ending included (what's, Apple's)."""


def words(text: str) -> list[str]:
    return WORD.findall(text.replace("_", " "))


def keywords(text: str) -> set[str]:
    """The stems of the words of ``text`` that carry meaning."""
    return {stem(word) for word in words(text) if word.lower() not in STOPWORDS}


def is_common(word: str) -> bool:
    """Whether ``word`` is everyday English, never a name or a value by itself."""
    lowered = word.lower().strip(".'\u2019")
    return lowered in COMMON or stem(lowered) in _COMMON_STEMS


@cache
def _groups() -> dict[str, frozenset[str]]:
    """Each word of the groups, as written (not its stem: "shared" is no "share"), with its group's stems."""
    found: dict[str, set[str]] = {}
    for group in _RELATED_GROUPS:
        stems = {stem(word) for word in group.split()}
        for word in group.split():
            found.setdefault(word, set()).update(stems)
    return {word: frozenset(stems) for word, stems in found.items()}


def related(word: str) -> frozenset[str]:
    """The stems of the everyday words related to ``word`` (as written, any case), its own stem included."""
    return _groups().get(word.lower(), frozenset()) | {stem(word)}


def is_weak(word: str) -> bool:
    """Whether ``word`` (or its stem) is an everyday verb, adjective or time word."""
    return word.lower() in WEAK or stem(word) in _WEAK_STEMS


_COMMON_STEMS = frozenset(stem(word) for word in COMMON)
_WEAK_STEMS = frozenset(stem(word) for word in WEAK)

FILLER = frozenset(
    """compare compared comparing versus vs both each either same also too well now then about please ok okay
    just only instead against with next one another make mark set should be last first latest newest
    recent top""".split()
)
"""Words a follow-up or an extra value may come with ("and AAPL?", "compare GOOGL and AMZN", "what about
Berlin?") without asking anything else."""

VALUE_SYNONYMS: dict[str, frozenset[str]] = {
    "high": frozenset("urgent urgently asap critical important emergency immediately top".split()),
    "low": frozenset("minor whenever trivial unimportant".split()),
    "medium": frozenset("normal moderate regular".split()),
    "closed": frozenset("resolved done finished fixed solved".split()),
}
"""Everyday words for the usual values of a choice ("urgent" for high): used only when the choice offers
that value."""

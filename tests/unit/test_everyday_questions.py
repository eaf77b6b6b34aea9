"""Everyday questions, in the words people use, answered by the offline model with the real tool catalog
(built as the workflow builds it) and the real tools on their offline data: which calls, with which
arguments, and what the answer says. The issue's table is here word for word (``ISSUE``); the rest vary
the wording of every kind of ask the tools serve, several asks at once, follow-ups and tickets described
in earlier turns."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from orchestrator.llm.planner import plan
from tests.support.offline_chat import TOOLS, OfflineChat, planned

STOCK = "finance__stock_price"
ROI = "finance__calculate_roi"
JIRA = "it__get_jira_metrics"
IP = "it__get_ip"
NEW_TICKET = "it__create_ticket"
TICKETS = "it__list_tickets"


def stock(ticker: str) -> tuple[str, dict[str, Any]]:
    return (STOCK, {"ticker": ticker})


def calc(expression: str) -> tuple[str, dict[str, Any]]:
    return ("calculator", {"expression": expression})


def weather(city: str) -> tuple[str, dict[str, Any]]:
    return ("weather", {"city": city})


def jira(project: str) -> tuple[str, dict[str, Any]]:
    return (JIRA, {"project": project})


def roi(principal: float, rate: float, years: float) -> tuple[str, dict[str, Any]]:
    return (ROI, {"principal": principal, "rate": rate, "years": years})


Row = tuple[str, list[tuple[str, dict[str, Any]]], tuple[str, ...]]

ISSUE: list[Row] = [
    ("how is nvidia stock doing today?", [stock("NVIDIA")], ("NVDA", "NVIDIA Corporation", "$187.64")),
    ("what's 2 to the power of 10", [calc("2 ** 10")], ("= 1,024.",)),
    ("Can you work out (17.5 + 2.5) * 3 divided by 4 for me?", [calc("(17.5 + 2.5) * 3 / 4")], ("= 15.",)),
    ("Is it raining in Lisbon right now?", [weather("Lisbon")], ("Lisbon (PT)", "light rain")),
    ("how warm is it in tokyo today", [weather("Tokyo")], ("Tokyo (JP)", "14 \u00b0C")),
    (
        "If I put 2500 dollars in at 7 percent a year, what do I get after 3 years?",
        [roi(2500, 7, 3)],
        ("final value 3,062.61",),
    ),
    (
        "Compare GOOGL and AMZN prices and tell me 15% of 240",
        [stock("GOOGL"), stock("AMZN"), calc("15 / 100 * 240")],
        ("$291.12", "$232.95", "= 36."),
    ),
]
"""The issue's table of questions that went wrong, word for word (its follow-ups are below)."""

EVERYDAY: list[Row] = [
    # Stocks, by ticker or by company name, in the words people use.
    ("What's the stock price of TSLA?", [stock("TSLA")], ("TSLA (Tesla, Inc.): price $402.15",)),
    ("What's Apple trading at?", [stock("Apple")], ("AAPL (Apple Inc.)",)),
    ("How much is a share of Microsoft?", [stock("Microsoft")], ("MSFT", "$512.30")),
    ("price of tesla shares", [stock("TESLA")], ("TSLA",)),
    ("What did Berkshire Hathaway close at?", [stock("Berkshire Hathaway")], ("BRK.B", "$498.60")),
    ("Give me the latest quote for MSFT", [stock("MSFT")], ("MSFT",)),
    ("jpmorgan stock price please", [stock("JPMORGAN")], ("JPM (JPMorgan Chase & Co.)",)),
    ("How did Google stock do today?", [stock("Google")], ("GOOGL",)),
    ("nvda price", [stock("NVDA")], ("NVDA",)),
    ("What's the stock price for Meta Platforms?", [stock("Meta Platforms")], ("META", "$611.48")),
    ("What is the stock price of NVIDIA Corporation?", [stock("NVIDIA Corporation")], ("NVDA",)),
    # Arithmetic, in symbols and in words.
    ("What is 125 * 8?", [calc("125 * 8")], ("125 \u00d7 8 = 1,000.",)),
    ("How much is 48 times 12?", [calc("48 * 12")], ("= 576.",)),
    ("What do you get if you divide 1000 by 8?", [calc("1000 / 8")], ("= 125.",)),
    ("What's the square root of 144?", [calc("144 ** 0.5")], ("= 12.",)),
    ("What is 15 percent of 240?", [calc("15 / 100 * 240")], ("= 36.",)),
    ("What's 12 squared?", [calc("12 ** 2")], ("= 144.",)),
    ("What is ten plus seven?", [calc("10 + 7")], ("= 17.",)),
    ("Subtract 15 from 100", [calc("100 - 15")], ("= 85.",)),
    ("What's the average of 10, 20 and 30?", [calc("(10 + 20 + 30) / 3")], ("= 20.",)),
    ("What is 3 to the 4th power?", [calc("3 ** 4")], ("= 81.",)),
    ("What is 1,250 divided by 5?", [calc("1,250 / 5")], ("= 250.",)),
    ("Calculate 5 minus 12", [calc("5 - 12")], ("= -7.",)),
    # Weather, asked as people ask it.
    ("What's the weather in Paris?", [weather("Paris")], ("Paris (FR): temperature 10.5 \u00b0C",)),
    ("Do I need an umbrella in London?", [weather("London")], ("drizzle",)),
    ("How hot is it in Mumbai?", [weather("Mumbai")], ("31 \u00b0C",)),
    ("what's the weather like in new york", [weather("New York")], ("New York (US)",)),
    ("Is it snowing in Toronto?", [weather("Toronto")], ("light snow",)),
    ("What's the humidity in Singapore?", [weather("Singapore")], ("humidity 84%",)),
    ("How's the weather looking in Rio de Janeiro?", [weather("Rio de Janeiro")], ("No weather for",)),
    # Investments described in a sentence.
    ("Calculate ROI for $10,000 at 5% over 10 years", [roi(10000, 5, 10)], ("final value 16,288.95",)),
    ("If I invest $5,000 at 6% for 8 years, how much will I have?", [roi(5000, 6, 8)], ("final value",)),
    (
        "How much would 1000 euros become after 10 years at 3 percent interest?",
        [roi(1000, 3, 10)],
        ("final value 1,343.92",),
    ),
    ("I have 10k to invest for 5 years at 4.5%. What will it be worth?", [roi(10000, 4.5, 5)], ()),
    ("What will $500 grow to in 20 years at 10% a year?", [roi(500, 10, 20)], ("final value 3,363.75",)),
    # The IT team: the network, Jira, tickets.
    ("What's our public IP?", [(IP, {})], ("IP 203.0.113.24",)),
    ("Which IP are we using?", [(IP, {})], ("203.0.113.24",)),
    ("How many open bugs does the WEB project have?", [jira("WEB")], ("WEB (Website)", "open bugs 12")),
    ("What's the sprint velocity of the OPS project?", [jira("OPS")], ("sprint velocity 21",)),
    ("How is the Security project doing in Jira?", [jira("SECURITY")], ("SEC (Security)",)),
    ("Give me the Jira stats for WEB", [jira("WEB")], ("WEB",)),
    ("Show me the open tickets", [(TICKETS, {"status": "open"})], ()),
    ("What tickets are closed?", [(TICKETS, {"status": "closed"})], ()),
    ("List the last 5 tickets", [(TICKETS, {"limit": 5})], ()),
    # Several asks in one message.
    (
        "What is the stock price of TSLA and the JIRA metrics for project DEMO?",
        [stock("TSLA"), jira("DEMO")],
        ("$402.15", "Demo Platform"),
    ),
    ("weather in paris and london", [weather("Paris"), weather("London")], ("Paris (FR)", "London (GB)")),
    (
        "Weather in Tokyo and the price of Apple stock",
        [weather("Tokyo"), stock("Apple")],
        ("Tokyo (JP)", "AAPL"),
    ),
    ("Show the stock prices of NVDA, AMZN and META", [stock("NVDA"), stock("AMZN"), stock("META")], ()),
    ("What's 25 * 4 and what's the weather in Rome?", [calc("25 * 4"), weather("Rome")], ("= 100.", "Rome")),
    ("Compare Apple and Microsoft stock", [stock("Apple"), stock("Microsoft")], ("AAPL", "MSFT")),
    ("Weather in Berlin vs Madrid", [weather("Berlin"), weather("Madrid")], ("Berlin", "Madrid")),
]

TICKET_REQUESTS: list[tuple[str, dict[str, Any]]] = [
    (
        "Open a ticket titled 'Printer on floor 3 is jammed' with high priority",
        {"title": "Printer on floor 3 is jammed", "priority": "high"},
    ),
    ("Open a ticket: laptop won't boot", {"title": "Laptop won't boot"}),
    (
        "Please create a ticket saying the printer on floor 2 is out of toner",
        {"title": "Printer on floor 2 is out of toner"},
    ),
    (
        "File a low priority ticket about the broken coffee machine",
        {"title": "Broken coffee machine", "priority": "low"},
    ),
    (
        "Raise an urgent ticket because the email server is down",
        {"title": "Email server is down", "priority": "high"},
    ),
    (
        "Create an urgent ticket saying the VPN and Wi-Fi are both down",
        {"title": "VPN and Wi-Fi are both down", "priority": "high"},
    ),
    ("The printer on floor 3 is jammed, please open a ticket", {"title": "Printer on floor 3 is jammed"}),
    ("Please report that the wifi in the lobby is down", {"title": "Wifi in the lobby is down"}),
]
"""Tickets: planned only (opening one needs a person's yes and a ledger)."""

TABLE = ISSUE + EVERYDAY
TICKET_REQUESTS_AS_CALLS = [(question, [(NEW_TICKET, arguments)]) for question, arguments in TICKET_REQUESTS]


@pytest.mark.parametrize(("question", "calls", "said"), TABLE, ids=[row[0] for row in TABLE])
def test_an_everyday_question_gets_the_right_calls_and_an_answer_that_says_what_they_returned(
    question: str, calls: list[tuple[str, dict[str, Any]]], said: tuple[str, ...]
) -> None:
    chat = OfflineChat()

    answer = chat.send(question)

    assert chat.calls == [calls]
    assert answer is not None and answer.startswith("[offline model] ")
    for text in said:
        assert text in answer, answer


@pytest.mark.parametrize(("question", "arguments"), TICKET_REQUESTS, ids=[row[0] for row in TICKET_REQUESTS])
def test_a_ticket_request_takes_its_title_and_priority_from_what_was_said(
    question: str, arguments: dict[str, Any]
) -> None:
    assert planned(question) == [(NEW_TICKET, arguments)]


WORDINGS: list[tuple[str, list[tuple[str, dict[str, Any]]]]] = [
    ("yo what's tesla at right now", [stock("TESLA")]),
    ("Could you look up the share price for Amazon please?", [stock("Amazon")]),
    ("AAPL stock?", [stock("AAPL")]),
    ("how much are nvidia shares going for", [stock("NVIDIA")]),
    ("Where is MSFT trading today", [stock("MSFT")]),
    ("current price of visa stock", [stock("VISA")]),
    ("I'd like a quote on Berkshire", [stock("Berkshire")]),
    ("what is 37 multiplied by 43", [calc("37 * 43")]),
    ("whats 9 + 10", [calc("9 + 10")]),
    ("can you calculate 250 divided by 4 for me", [calc("250 / 4")]),
    ("What's 3 cubed?", [calc("3 ** 3")]),
    ("How much is 12.5% of 480?", [calc("12.5 / 100 * 480")]),
    ("what's the square root of 2", [calc("2 ** 0.5")]),
    ("calculate (100 - 35) * 1.2", [calc("(100 - 35) * 1.2")]),
    ("What is 2 raised to the power 8?", [calc("2 ** 8")]),
    ("what do I get if I multiply 16 by 4 and then add 10", [calc("(16 * 4) + 10")]),
    ("What's 1000 minus 1", [calc("1000 - 1")]),
    ("is it cold in chicago", [weather("Chicago")]),
    ("What's the weather doing in Seattle?", [weather("Seattle")]),
    ("Should I bring an umbrella to Amsterdam today?", [weather("Amsterdam")]),
    ("temperature in sydney", [weather("Sydney")]),
    ("Is it nice out in San Francisco?", [weather("San Francisco")]),
    ("weather report for London please", [weather("London")]),
    ("what's the wind like in Berlin", [weather("Berlin")]),
    ("Any chance of rain in Singapore?", [weather("Singapore")]),
    ("how humid is mumbai", [weather("Mumbai")]),
    ("If I invest 8000 at 5% interest for 6 years what will I end up with?", [roi(8000, 5, 6)]),
    ("I'm putting $1,500 into an account that pays 2% a year. How much after 10 years?", [roi(1500, 2, 10)]),
    ("What's the return on investing 50k for 3 years at 12 percent?", [roi(50000, 12, 3)]),
    ("Compute ROI: 2000 dollars, 8% per year, 4 years", [roi(2000, 8, 4)]),
    ("how much will 100 dollars be worth in 50 years at 6%", [roi(100, 6, 50)]),
    ("What's the office's public IP address?", [(IP, {})]),
    ("Can you tell me our IP?", [(IP, {})]),
    ("What is the jira velocity for project WEB?", [jira("WEB")]),
    ("open bugs in DEMO?", [jira("DEMO")]),
    ("How many issues are open on the PLAT board?", [jira("PLAT")]),
    ("Jira numbers for the OPS project", [jira("OPS")]),
    ("How's the operations project doing?", [jira("OPERATIONS")]),
    ("What's the cycle time on SEC?", [jira("SEC")]),
    (
        "Please open a ticket: the projector in room 5 is broken",
        [(NEW_TICKET, {"title": "Projector in room 5 is broken"})],
    ),
    (
        "Can you create a high priority ticket saying my laptop screen is cracked?",
        [(NEW_TICKET, {"title": "Laptop screen is cracked", "priority": "high"})],
    ),
    ("log a ticket that the VPN is down", [(NEW_TICKET, {"title": "VPN is down"})]),
    ("I need to report a broken monitor, please file a ticket", [(NEW_TICKET, {"title": "Broken monitor"})]),
    ("show me all open tickets", [(TICKETS, {"status": "open"})]),
    ("what tickets do we have?", [(TICKETS, {})]),
    ("list closed IT tickets", [(TICKETS, {"status": "closed"})]),
    ("What's the weather in Paris and Tokyo?", [weather("Paris"), weather("Tokyo")]),
    ("Get me AAPL and TSLA quotes", [stock("AAPL"), stock("TSLA")]),
    ("What's 6 * 7, and what's the weather in Rome?", [calc("6 * 7"), weather("Rome")]),
    ("Tell me the price of NVDA and how many open bugs DEMO has", [stock("NVDA"), jira("DEMO")]),
    ("What's my IP and the weather in Berlin?", [(IP, {}), weather("Berlin")]),
    ("compare tesla and nvidia stock prices", [stock("TESLA"), stock("NVIDIA")]),
    ("What's 20% of 150 and 30% of 200?", [calc("20 / 100 * 150"), calc("30 / 100 * 200")]),
    ("Sing me a song", []),
    ("What's the meaning of life?", []),
    ("Book me a flight to Paris", []),
    ("Who won the world cup in 2018?", []),
    ("hey, what's the price of a google share?", [stock("GOOGLE")]),
    ("NVIDIA stock price", [stock("NVIDIA")]),
    ("how much does Amazon stock cost today", [stock("Amazon")]),
    ("what's JPM trading at", [stock("JPM")]),
    ("tell me Microsoft's latest stock price", [stock("Microsoft")]),
    ("how did tesla shares close?", [stock("TESLA")]),
    ("What is 4 plus 4 times 2?", [calc("4 + 4 * 2")]),
    ("work out 81 divided by 9", [calc("81 / 9")]),
    ("what's 5 squared plus 3", [calc("5 ** 2 + 3")]),
    ("please compute 1234 * 5678", [calc("1234 * 5678")]),
    ("What's 7.5% of 2,000?", [calc("7.5 / 100 * 2,000")]),
    ("what's the square root of 625", [calc("625 ** 0.5")]),
    ("How much is 2 to the 10th?", [calc("2 ** 10")]),
    ("What's 100 divided by 3?", [calc("100 / 3")]),
    ("ten times twelve?", [calc("10 * 12")]),
    ("what's the weather like in Madrid right now?", [weather("Madrid")]),
    ("is it hot in Singapore today", [weather("Singapore")]),
    ("How cold is it in Toronto?", [weather("Toronto")]),
    ("weather tokyo", [weather("Tokyo")]),
    ("Is it foggy in San Francisco this morning?", [weather("San Francisco")]),
    ("Do I need sunglasses in Sydney?", [weather("Sydney")]),
    ("What's the temp in Berlin?", [weather("Berlin")]),
    ("I'm investing 12000 at 4% for 15 years, what's my return?", [roi(12000, 4, 15)]),
    ("If I save $300 at 5% annual interest, what will it be after 2 years?", [roi(300, 5, 2)]),
    ("ROI on 25,000 over 7 years at 9%", [roi(25000, 9, 7)]),
    ("How much would I make investing 1 million for 10 years at 3%?", [roi(1000000, 3, 10)]),
    ("what public ip do we have", [(IP, {})]),
    ("get ip", [(IP, {})]),
    ("What's the velocity of the WEB team's sprints?", [jira("WEB")]),
    ("How many bugs does project SEC have open?", [jira("SEC")]),
    ("jira report for DEMO", [jira("DEMO")]),
    ("How is the Website project going in Jira?", [jira("WEBSITE")]),
    ('Open a ticket titled "Keyboard missing keys"', [(NEW_TICKET, {"title": "Keyboard missing keys"})]),
    (
        "Create a medium priority ticket: badge reader at the door is broken",
        [(NEW_TICKET, {"title": "Badge reader at the door is broken", "priority": "medium"})],
    ),
    (
        "Please file an urgent IT ticket saying the server room is overheating",
        [(NEW_TICKET, {"title": "Server room is overheating", "priority": "high"})],
    ),
    ("are there any open tickets?", [(TICKETS, {"status": "open"})]),
    ("show the 3 most recent tickets", [(TICKETS, {"limit": 3})]),
    ("What's the weather in London and what's TSLA at?", [weather("London"), stock("TSLA")]),
    ("Get the weather for Paris, Berlin and Rome", [weather("Paris"), weather("Berlin"), weather("Rome")]),
    ("What is 15 * 3 and what is our IP address?", [calc("15 * 3"), (IP, {})]),
    ("Compare the stock prices of AMZN and MSFT", [stock("AMZN"), stock("MSFT")]),
    ("What's NVDA at and what's 10% of 500?", [stock("NVDA"), calc("10 / 100 * 500")]),
    ("How tall is Mount Everest?", []),
    ("Recommend a good book", []),
    ("What's your name?", []),
    ("What's the going rate for a Tesla share?", [stock("Tesla")]),
    ("Quick one: AMZN price?", [stock("AMZN")]),
    ("how's microsoft stock today", [stock("MICROSOFT")]),
    ("Look up the stock price of JPMorgan Chase", [stock("JPMorgan Chase")]),
    ("What is Alphabet's share price?", [stock("Alphabet")]),
    ("stock price for brk.b", [stock("BRK.B")]),
    ("can u tell me the price of nvda stock", [stock("NVDA")]),
    ("What's eight times nine?", [calc("8 * 9")]),
    ("How much is 360 divided by 12?", [calc("360 / 12")]),
    ("What is 64 to the power of 0.5", [calc("64 ** 0.5")]),
    ("calc 18 * 22", [calc("18 * 22")]),
    ("What's 2.5% of 12,000?", [calc("2.5 / 100 * 12,000")]),
    ("whats the square root of 169", [calc("169 ** 0.5")]),
    ("what is 1 + 2 + 3 + 4 + 5", [calc("1 + 2 + 3 + 4 + 5")]),
    ("What do 17 and 25 add up to?", [calc("17 + 25")]),
    ("Please divide 99 by 3", [calc("99 / 3")]),
    ("How's the weather in Sydney right now?", [weather("Sydney")]),
    ("Is it raining in London?", [weather("London")]),
    ("what is the temperature in tokyo", [weather("Tokyo")]),
    ("Do I need a coat in Berlin today?", [weather("Berlin")]),
    ("weather in NYC", [weather("NYC")]),
    ("How windy is it in Chicago?", [weather("Chicago")]),
    ("Is it sunny in Madrid today?", [weather("Madrid")]),
    ("Current conditions in Rome?", [weather("Rome")]),
    ("Say I invest 4000 dollars for 5 years at 5% — what's it worth at the end?", [roi(4000, 5, 5)]),
    ("return on 9000 at 3.5% after 12 years", [roi(9000, 3.5, 12)]),
    (
        "How much money will I have if I put 20000 into savings at 2 percent for 10 years?",
        [roi(20000, 2, 10)],
    ),
    ("What's the ROI of investing $750 for 4 years at 11%?", [roi(750, 11, 4)]),
    ("What's the company's public IP?", [(IP, {})]),
    ("ip address please", [(IP, {})]),
    ("Show Jira metrics for PLAT", [jira("PLAT")]),
    ("How many open issues in the DEMO project?", [jira("DEMO")]),
    ("what's the sprint velocity on SEC", [jira("SEC")]),
    ("Jira stats for the ops project please", [jira("OPS")]),
    (
        "Create a ticket called 'Docking station not charging' with low priority",
        [(NEW_TICKET, {"title": "Docking station not charging", "priority": "low"})],
    ),
    ("open a ticket about the broken chair in room 12", [(NEW_TICKET, {"title": "Broken chair in room 12"})]),
    (
        "My headset stopped working, can you open a ticket?",
        [(NEW_TICKET, {"title": "Headset stopped working"})],
    ),
    (
        "file a high priority ticket: cannot access SharePoint",
        [(NEW_TICKET, {"title": "Cannot access SharePoint", "priority": "high"})],
    ),
    ("List all the open tickets", [(TICKETS, {"status": "open"})]),
    ("Which tickets are still open?", [(TICKETS, {"status": "open"})]),
    ("show closed tickets, just the last 10", [(TICKETS, {"status": "closed", "limit": 10})]),
    ("What's the weather in Paris and what is 12% of 50?", [weather("Paris"), calc("12 / 100 * 50")]),
    ("TSLA and NVDA prices please", [stock("TSLA"), stock("NVDA")]),
    (
        "What's the weather in Lisbon, Madrid and Rome?",
        [weather("Lisbon"), weather("Madrid"), weather("Rome")],
    ),
    ("Get the IP address and the Jira metrics for WEB", [(IP, {}), jira("WEB")]),
    ("compare the weather in Tokyo and Sydney", [weather("Tokyo"), weather("Sydney")]),
    ("Write a haiku about autumn", []),
    ("How do I reset my password?", []),
    ("What's the population of Canada?", []),
]
"""More wordings of every kind of ask, planned only: they were first written as unseen checks of the
planner, in three rounds (86%, 87% and 92% right before any change made for them)."""


@pytest.mark.parametrize(("question", "calls"), WORDINGS, ids=[row[0] for row in WORDINGS])
def test_another_wording_gets_the_right_calls(question: str, calls: list[tuple[str, dict[str, Any]]]) -> None:
    assert planned(question) == calls


CONVERSATIONS: list[tuple[list[str], list[tuple[str, dict[str, Any]]]]] = [
    (["What's the price of AMZN?", "how about META?"], [stock("META")]),
    (["What is the stock price of MSFT?", "And Amazon?"], [stock("Amazon")]),
    (["What's the stock price of Visa?", "and Apple's?"], [stock("Apple")]),
    (["what's the price of apple stock", "and microsoft and google?"], [stock("MICROSOFT"), stock("GOOGLE")]),
    (["what's the weather in london", "what about paris?"], [weather("Paris")]),
    (["weather in paris", "how about berlin"], [weather("Berlin")]),
    (["Is it raining in Seattle?", "and in Chicago?"], [weather("Chicago")]),
    (["What is 12 * 12?", "and divide that by 2"], [calc("144 / 2")]),
    (["What's 45 * 3?", "plus 15?"], [calc("135 + 15")]),
    (["What's 45 * 3?", "what's half of that"], [calc("135 / 2")]),
    (["what is 3 to the power of 4", "now multiply it by 2"], [calc("81 * 2")]),
    (["How many open bugs in DEMO?", "what about WEB?"], [jira("WEB")]),
    (["Jira metrics for DEMO please", "now for PLAT"], [jira("PLAT")]),
    (["Calculate the ROI of 1000 at 5% for 10 years", "what if it's 15 years?"], [roi(1000, 5, 15)]),
    (["ROI for 2000 at 4% over 5 years", "and over 10 years?"], [roi(2000, 4, 10)]),
    (
        ["The shared drive is not mounting on my laptop since the update", "can you open a ticket for this?"],
        [(NEW_TICKET, {"title": "Shared drive is not mounting on my laptop since the update"})],
    ),
    (
        ["Our badge readers stopped working", "Please raise an urgent ticket about it"],
        [(NEW_TICKET, {"title": "Badge readers stopped working", "priority": "high"})],
    ),
    (
        ["My monitor keeps flickering since this morning", "Open a ticket for that please"],
        [(NEW_TICKET, {"title": "Monitor keeps flickering since this morning"})],
    ),
    (
        ["The projector in room 7 won't turn on.", "Could you raise a ticket, high priority?"],
        [(NEW_TICKET, {"title": "Projector in room 7 won't turn on", "priority": "high"})],
    ),
]


@pytest.mark.parametrize(("turns", "calls"), CONVERSATIONS, ids=[" / ".join(row[0]) for row in CONVERSATIONS])
def test_a_follow_up_in_other_words_gets_the_right_calls(
    turns: list[str], calls: list[tuple[str, dict[str, Any]]]
) -> None:
    chat = OfflineChat()
    for turn in turns[:-1]:
        chat.send(turn)

    chat.send(turns[-1], run=False)

    assert chat.calls[-1] == calls


@pytest.mark.parametrize(
    "question",
    ["Tell me a joke", "What's the capital of France?", "Who is the president of France?", "Good morning!"],
)
def test_a_question_no_tool_answers_gets_two_lines_with_three_example_requests(question: str) -> None:
    answer = OfflineChat().send(question)

    assert answer is not None
    first, second = answer.split("\n")
    assert first.startswith("[offline model] I could not match that")
    examples = second.split("\u201c")[1:]
    assert len(examples) == 3, second
    assert len(answer) < 400, "not every tool's description"


def test_the_example_requests_are_each_answered_by_a_tool() -> None:
    answer = OfflineChat().send("Tell me a joke") or ""

    examples = [part.split("\u201d")[0] for part in answer.split("\u201c")[1:]]

    assert all(len(planned(example)) == 1 for example in examples), examples


# --- Follow-ups: the earlier turns are read ------------------------------------------------------------


def test_a_follow_up_naming_only_a_new_ticker_asks_for_that_quote() -> None:
    chat = OfflineChat()
    chat.send("What's the stock price of TSLA?")

    answer = chat.send("and what about AAPL?")

    assert chat.calls[-1] == [stock("AAPL")]
    assert answer is not None and "AAPL (Apple Inc.): price $268.47" in answer


def test_a_follow_up_may_name_the_company_instead_of_the_ticker() -> None:
    chat = OfflineChat()
    chat.send("How much is a share of Tesla?")

    answer = chat.send("and Nvidia?")

    assert chat.calls[-1] == [stock("Nvidia")]
    assert answer is not None and "NVDA (NVIDIA Corporation)" in answer


def test_a_follow_up_for_another_project_asks_for_its_metrics() -> None:
    chat = OfflineChat()
    chat.send("How many open bugs does DEMO have?")

    answer = chat.send("and for project OPS?")

    assert chat.calls[-1] == [jira("OPS")]
    assert answer is not None and "OPS (Operations)" in answer


def test_a_follow_up_naming_two_values_asks_for_both() -> None:
    chat = OfflineChat()
    chat.send("What's Apple's stock price?")

    chat.send("and MSFT and GOOGL?")

    assert chat.calls[-1] == [stock("MSFT"), stock("GOOGL")]


def test_a_follow_up_city_asks_for_its_weather() -> None:
    chat = OfflineChat()
    chat.send("What's the weather in Berlin?")

    chat.send("and Madrid?")

    assert chat.calls[-1] == [weather("Madrid")]


def test_a_follow_up_there_means_the_place_asked_about_before() -> None:
    chat = OfflineChat()
    chat.send("What's the weather in Paris?")

    chat.send("Is it raining there?")

    assert chat.calls[-1] == [weather("Paris")]


def test_a_follow_up_changing_one_number_keeps_the_others() -> None:
    chat = OfflineChat()
    chat.send("Calculate ROI for $5,000 at 4% over 10 years")

    chat.send("How about for 20 years?")
    chat.send("and at 8%?")

    assert chat.calls[-2:] == [[roi(5000, 4, 20)], [roi(5000, 8, 20)]]


def test_now_double_that_doubles_the_last_result() -> None:
    chat = OfflineChat()
    chat.send("What is 125 * 8?")

    answer = chat.send("now double that")

    assert chat.calls[-1] == [calc("1000 * 2")]
    assert answer == "[offline model] 1000 \u00d7 2 = 2,000."


def test_an_operation_alone_applies_to_the_last_result() -> None:
    chat = OfflineChat()
    chat.send("What is 250 * 4?")

    chat.send("Can you add 50 to that?")
    chat.send("Now divide that by 4")
    chat.send("squared?")

    assert chat.calls[1:] == [[calc("1000 + 50")], [calc("1050 / 4")], [calc("262.5 ** 2")]]


def test_a_ticket_for_it_takes_its_title_from_the_problem_described_before() -> None:
    chat = OfflineChat()
    chat.send("My VPN keeps dropping every few minutes since this morning.")

    assert chat.send("please open a high priority ticket for it", run=False) is None

    assert chat.calls[-1] == [
        (NEW_TICKET, {"title": "VPN keeps dropping every few minutes since this morning", "priority": "high"})
    ]


def test_a_detail_said_in_the_next_sentence_goes_into_the_same_ticket() -> None:
    chat = OfflineChat()
    chat.send("The Wi-Fi in meeting room B keeps disconnecting.")

    chat.send("Can you file a ticket about it? Make it urgent.", run=False)

    assert chat.calls[-1] == [
        (NEW_TICKET, {"title": "Wi-Fi in meeting room B keeps disconnecting", "priority": "high"})
    ]


def test_a_new_question_after_a_follow_up_is_not_read_as_one() -> None:
    chat = OfflineChat()
    chat.send("What's the stock price of TSLA?")

    answer = chat.send("Tell me a joke")

    assert chat.calls[-1] == []
    assert answer is not None and "I could not match that" in answer


def test_a_follow_up_only_reuses_tools_still_offered() -> None:
    chat = OfflineChat()
    chat.send("What's the stock price of TSLA?")
    without_finance = [tool for tool in TOOLS if not tool["function"]["name"].startswith("finance__")]
    chat.messages.append({"role": "user", "content": "and AAPL?"})

    step = plan(chat.messages, without_finance)

    assert step.calls == []
    assert step.text is not None and "I could not match that" in step.text


# --- Names say nothing: only descriptions and schemas ---------------------------------------------------


def opaque(tools: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], dict[str, tuple[str, dict[str, str]]]]:
    """The tools with every tool and argument renamed to a meaningless name (``x3__t3``, ``a0``), and for
    each real name its new name and its arguments' new names."""
    renamed = copy.deepcopy(tools)
    names: dict[str, tuple[str, dict[str, str]]] = {}
    for number, tool in enumerate(renamed):
        function = tool["function"]
        parameters = function["parameters"]
        arguments = {name: f"a{index}" for index, name in enumerate(parameters.get("properties", {}))}
        new_name = f"x{number}__t{number}" if "__" in function["name"] else f"t{number}"
        names[function["name"]] = (new_name, arguments)
        function["name"] = new_name
        parameters["properties"] = {
            arguments[name]: spec for name, spec in parameters.get("properties", {}).items()
        }
        parameters["required"] = [arguments[name] for name in parameters.get("required", [])]
    return renamed, names


OPAQUE_TOOLS, OPAQUE_NAMES = opaque(TOOLS)
SINGLE_TURNS = (
    [(row[0], row[1]) for row in TABLE] + [(row[0], row[1]) for row in TICKET_REQUESTS_AS_CALLS] + WORDINGS
)


@pytest.mark.parametrize(("question", "calls"), SINGLE_TURNS, ids=[row[0] for row in SINGLE_TURNS])
def test_the_same_calls_come_when_every_tool_and_argument_has_a_meaningless_name(
    question: str, calls: list[tuple[str, dict[str, Any]]]
) -> None:
    renamed = [
        (OPAQUE_NAMES[tool][0], {OPAQUE_NAMES[tool][1][name]: value for name, value in arguments.items()})
        for tool, arguments in calls
    ]

    assert planned(question, OPAQUE_TOOLS) == renamed

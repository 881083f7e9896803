import datetime as dt

import pyarrow as pa
import pytest

from tasks.date_mentions import date_mentions, find_date_mentions

D = dt.date


def _found(text: str, published: dt.date | None) -> list[tuple]:
    return [(r["text"], r["resolved_date"], r["granularity"], r["kind"]) for r in find_date_mentions("a", text, published)]


# (sentence, publication date) -> every (expression, date, granularity, kind) it holds. The tense is
# the sentence's; 2021-08-24 is a Tuesday, 2021-08-27 a Friday.
RESOLVED = [
    # A weekday in a past-tense clause: the latest such day up to and including the publication day.
    ("The minister said on Tuesday that the talks had failed.", D(2021, 8, 24),
     [("Tuesday", D(2021, 8, 24), "day", "weekday")]),
    ("They met on Friday.", D(2021, 8, 24), [("Friday", D(2021, 8, 20), "day", "weekday")]),
    # An irregular past ("hit") counts; a verb of a later clause ("are processed") does not.
    ("Putin on Sunday hit out at the West for keeping refugees in camps in Central Asia for weeks until their "
     "visas are processed.", D(2021, 8, 23), [("Sunday", D(2021, 8, 22), "day", "weekday")]),
    # Future tense: the coming one (the publication day itself when it is that day).
    ("The talks will resume on Friday.", D(2021, 8, 24), [("Friday", D(2021, 8, 27), "day", "weekday")]),
    ("The leaders will meet Tuesday in Geneva.", D(2021, 8, 24), [("Tuesday", D(2021, 8, 24), "day", "weekday")]),
    ("The bank said on Monday it would cut rates on Thursday.", D(2021, 8, 24),
     [("Monday", D(2021, 8, 23), "day", "weekday"), ("Thursday", D(2021, 8, 26), "day", "weekday")]),
    # last / next / this as written.
    ("Police said he was arrested last Friday.", D(2021, 8, 27), [("last Friday", D(2021, 8, 20), "day", "weekday")]),
    ("The court is due to rule next Friday.", D(2021, 8, 27), [("next Friday", D(2021, 9, 3), "day", "weekday")]),
    ("The vote takes place this Friday.", D(2021, 8, 24), [("this Friday", D(2021, 8, 27), "day", "weekday")]),
    # Months: "last October" in a January story is the October before; a bare month follows the tense.
    ("Prices rose sharply last October.", D(2022, 1, 10), [("last October", D(2021, 10, 1), "month", "relative")]),
    ("Prices rose sharply last January.", D(2022, 1, 10), [("last January", D(2021, 1, 1), "month", "relative")]),
    ("The company was hit hard in December.", D(1997, 4, 1), [("December", D(1996, 12, 1), "month", "absolute")]),
    ("Elections will be held in June.", D(1997, 4, 1), [("June", D(1997, 6, 1), "month", "absolute")]),
    # Years, decades, quarters: the period's first day.
    ("The plant opened in 1996.", D(2021, 8, 24), [("1996", D(1996, 1, 1), "year", "absolute")]),
    ("Growth was strong in the 1990s.", D(2021, 3, 10), [("the 1990s", D(1990, 1, 1), "decade", "period")]),
    ("Talks stalled in mid-April and resume in mid-2022.", D(2021, 8, 10),
     [("April", D(2021, 4, 1), "month", "absolute"), ("2022", D(2022, 1, 1), "year", "absolute")]),
    ("Exports fell in the first quarter of 2005 and will recover in the second quarter.", D(2005, 3, 10),
     [("the first quarter of 2005", D(2005, 1, 1), "quarter", "period"),
      ("the second quarter", D(2005, 4, 1), "quarter", "period")]),
    ("Profits in the third quarter: a record.", D(2021, 3, 10), [("the third quarter", D(2021, 7, 1), "quarter", "period")]),
    ("Profits fell in the fourth quarter.", D(2021, 3, 10), [("the fourth quarter", D(2020, 10, 1), "quarter", "period")]),
    # Counted from the publication day, at the granularity the text gives.
    ("Sales this year beat last month's record.", D(2021, 8, 25),
     [("this year", D(2021, 1, 1), "year", "relative"), ("last month", D(2021, 7, 1), "month", "relative")]),
    ("He left two years ago, and returned a week ago.", D(2021, 8, 25),
     [("two years ago", D(2019, 1, 1), "year", "relative"), ("a week ago", D(2021, 8, 16), "week", "relative")]),
    ("It was calm last week.", D(2021, 8, 25), [("last week", D(2021, 8, 16), "week", "relative")]),
    ("Spending rose 25 percent from the current fiscal year.", D(1997, 4, 17),
     [("the current fiscal year", D(1997, 1, 1), "year", "relative")]),
    # Counted from a date the article named before.
    ("The fire broke out on March 3 and was put out the next day.", D(2021, 3, 10),
     [("March 3", D(2021, 3, 3), "day", "absolute"), ("the next day", D(2021, 3, 4), "day", "relative")]),
    ("Output rose 3% in March. In the previous month it fell.", D(2021, 4, 20),
     [("March", D(2021, 3, 1), "month", "absolute"), ("the previous month", D(2021, 2, 1), "month", "relative")]),
    # A day and month without a year: the nearest year, unless the tense says otherwise beyond a month.
    ("The summit is on December 28.", D(2022, 1, 3), [("December 28", D(2021, 12, 28), "day", "absolute")]),
    ("The ceasefire, signed on March 3, collapsed.", D(2021, 12, 20), [("March 3", D(2021, 3, 3), "day", "absolute")]),
    ("Tenants refused to renew leases which expire on May 14.", D(1997, 4, 6),
     [("May 14", D(1997, 5, 14), "day", "absolute")]),
    # A month and year with a comma or "of" between them (a KeyError once stopped whole runs).
    ("The clinic opened in June, 2010, and closed in March of 2012.", D(2021, 8, 25),
     [("June, 2010", D(2010, 6, 1), "month", "absolute"), ("March of 2012", D(2012, 3, 1), "month", "absolute")]),
    # Durations, sets and look-alikes are not dates.
    ("The talks lasted three months.", D(2021, 3, 10), []),
    ("Markets close early every Monday.", D(2021, 3, 10), []),
    ("It happened three days before the election.", D(2021, 3, 10), []),
    ("May I ask about the budget of March Group in 1700 and 12345 or 2,001 people?", D(2021, 8, 25), []),
    ("The bond fell to $ 7.1875, or $1999 a ton.", D(2021, 8, 25), []),
    ("The 2021 budget was drawn up at the end of March.", D(2021, 8, 25),
     [("2021", D(2021, 1, 1), "year", "absolute"), ("March", D(2021, 3, 1), "month", "absolute")]),
]


@pytest.mark.parametrize("text, published, expected", RESOLVED, ids=[case[0][:40] for case in RESOLVED])
def test_expressions_resolve_as_a_reader_of_news_would(text, published, expected):
    assert _found(text, published) == expected


def test_the_seeds_dates_resolve_against_the_publication_date():
    # From the seeds, published 2021-08-21 and 2021-08-23.
    text = "The heads of CSTO would meet via video conference on Monday, August 23, to examine it."
    assert _found(text, D(2021, 8, 21)) == [("Monday, August 23", D(2021, 8, 23), "day", "absolute")]
    text = "The Taliban took control of the country last Sunday, August 15."
    assert _found(text, D(2021, 8, 23)) == [("last Sunday, August 15", D(2021, 8, 15), "day", "absolute")]


def test_offsets_index_the_text():
    text = "They met last Sunday and again yesterday; on Friday it rained."
    rows = find_date_mentions("a", text, D(2021, 8, 25))
    assert [(r["start_char"], r["end_char"]) for r in rows] == [(9, 20), (31, 40), (45, 51)]
    assert all(text[r["start_char"]:r["end_char"]] == r["text"] for r in rows)


def test_months_and_years_with_their_own_year_need_no_publication_date():
    text = "Sales fell in August 2021, lower than in 2019 and on 5 September 2021 and 2021-08-01."
    assert _found(text, None) == [
        ("August 2021", D(2021, 8, 1), "month", "absolute"), ("2019", D(2019, 1, 1), "year", "absolute"),
        ("5 September 2021", D(2021, 9, 5), "day", "absolute"), ("2021-08-01", D(2021, 8, 1), "day", "absolute")]


def test_without_a_publication_date_relative_expressions_are_kept_unresolved():
    assert _found("On Monday, August 23, 2021 and on Sunday, and last month, and in December.", None) == [
        ("Monday, August 23, 2021", D(2021, 8, 23), "day", "absolute"), ("Sunday", None, "day", "weekday"),
        ("last month", None, "month", "relative"), ("December", None, "month", "absolute")]


def test_a_day_without_a_year_takes_the_year_nearest_the_publication_date():
    assert _found("The summit is on September 7.", D(2021, 8, 25)) == [("September 7", D(2021, 9, 7), "day", "absolute")]
    assert _found("Born on February 29.", D(2021, 3, 1)) == [("February 29", D(2020, 2, 29), "day", "absolute")]


def test_a_batch_gives_one_row_per_expression_with_its_article():
    articles = pa.table({"article_id": ["a", "b"], "clean_text": ["On Sunday.", "Nothing dated here."],
                         "published_date": pa.array([D(2021, 8, 25), None], pa.date32())})
    assert date_mentions(articles).to_pylist() == [
        {"article_id": "a", "start_char": 3, "end_char": 9, "text": "Sunday", "resolved_date": D(2021, 8, 22),
         "granularity": "day", "kind": "weekday"}]


def test_a_warehouse_made_before_kind_existed_gets_the_column(tmp_path):
    from newsflow import warehouse

    con = warehouse.open_for_writing(tmp_path)
    con.execute("drop table date_mentions")
    con.execute("create table date_mentions (article_id varchar not null, start_char integer not null, "
                "end_char integer not null, text varchar not null, resolved_date date, granularity varchar)")
    con.execute("insert into date_mentions values ('a', 3, 9, 'Sunday', date '2021-08-22', 'day')")
    con.close()
    con = warehouse.open_for_writing(tmp_path)
    assert con.execute("select text, kind from date_mentions").fetchall() == [("Sunday", None)]
    con.close()


# Wire copy from a commodity desk (written for these tests, in the shape of 1980s wire tables).
PRICE_TABLE = """SOYBEAN SPREADS
CHICAGO, March 3 - Spreads at midday:
 MONTHS   LAST     DIFFERENCE
 Jul/Nov  14-1/2   over 15       over
 Nov/May  5-3/4    under 6-1/4   under
 Aug    4    61  up    2
"""


def test_a_price_table_row_is_no_date():
    # "Nov  5-3/4" is a contract month and a price of 5 3/4 cents; "Aug    4    61  up    2" a row of cells.
    assert _found(PRICE_TABLE, D(1988, 3, 3)) == [("March 3", D(1988, 3, 3), "day", "absolute")]


def test_a_table_headers_cells_and_a_named_bond_contract_are_no_dates():
    # Held-out Reuters-21578: a grain stocks table's column labels, and a bond desk's "June T-bonds".
    table = ("All hard red winter wheat\nDeliverable  This Week  Week Ago   Year Ago\n"
             "Stocks          7.2       7.4       6.1\n")
    assert _found(table, D(1987, 4, 6)) == []
    bonds = "Traders expect a quiet session. June T-bonds again failed to take out resistance at 101."
    assert _found(bonds, D(1987, 4, 6)) == []
    moved = "Soybeans closed at 6.705 dlrs from a high of 6.75 dlrs. July was up 13.1 cents at 6.785 dlrs."
    assert _found(moved, D(1987, 4, 6)) == []
    # Prose with a week in it stays a date, wherever its line is.
    assert [row[0] for row in _found("The board meets this week  to vote.  Stocks rose 2 pct.\n", D(1987, 4, 6))] \
        == ["this week"]


def test_a_shipping_window_is_read_around_the_trade_not_by_the_reporting_verb():
    # Held-out Reuters-21578, April 1987: "bought ... for shipment in May to October, traders said" put May
    # in 1986 (the past tense of "bought" and "said"); a window's second end follows its first.
    published = D(1987, 4, 6)
    corn = "Japanese traders bought 200,000 tonnes of Chinese corn for shipment in May to October, traders said."
    assert [(row[0], row[1]) for row in _found(corn, published)] == [("May", D(1987, 5, 1)), ("October", D(1987, 10, 1))]
    laydays = "Exporters sold wheat with laydays from June 20 through September 25, an agent said."
    assert [row[1] for row in _found(laydays, published)] == [D(1987, 6, 20), D(1987, 9, 25)]
    # A statistic of shipments is no window: its verb says when.
    assert [row[1] for row in _found("Shipments in February rose 4 pct, the ministry said.", published)] == \
        [D(1987, 2, 1)]


def test_a_line_with_a_date_and_a_figure_is_no_table():
    text = "Shares were bought between Jan 26 and Feb 9 for 175,691 dlrs."
    assert [row[0] for row in _found(text, D(1988, 3, 3))] == ["Jan 26", "Feb 9"]


MARKET_REPORT = ("Soybean futures closed higher at the Chicago Board of Trade. July climbed four cents to 6.10 "
                 "dlrs a bushel and the November contract gained two cents. Traders said July wheat drew export "
                 "buying, and speculators who bought March soymeal sold June/July. In July prices rose to a record, "
                 "one trader recalled. Deliveries begin on May 3. January oil output rose, and more is due in March.")


def test_contract_months_of_a_market_report_are_no_dates_and_its_times_stay():
    assert _found(MARKET_REPORT, D(1988, 3, 3)) == [
        ("July", D(1987, 7, 1), "month", "absolute"),          # "In July prices rose": a time
        ("May 3", D(1988, 5, 3), "day", "absolute"),           # "on May 3": a day
        ("January", D(1988, 1, 1), "month", "absolute"),       # January's oil output: a statistic's month
        ("March", D(1988, 3, 1), "month", "absolute")]         # "due in March"


def test_outside_a_market_report_a_month_before_a_noun_stays_a_date():
    assert _found("July wheat sales rose, and the November elections were calm.", D(1988, 3, 3)) == [
        ("July", D(1987, 7, 1), "month", "absolute"), ("November", D(1987, 11, 1), "month", "absolute")]


@pytest.mark.parametrize("text, published, expected", [
    # "a June election" in a story of April: the nearest June (to come), though the clause's verb is past.
    ("As pressure mounted on the prime minister to call a June election, she said the choice was hers.",
     D(1987, 4, 7), D(1987, 6, 1)),
    ("Prospects for an October vote rose after the party conference.", D(1990, 7, 2), D(1990, 10, 1)),
    # "since" looks back, even in a clause about what is coming.
    ("Rain fell since early January, improving prospects for the coming harvest.", D(1987, 2, 26), D(1987, 1, 1)),
    ("He won the June election.", D(1987, 9, 1), D(1987, 6, 1)),
])
def test_an_event_month_takes_its_cues(text, published, expected):
    assert [row[1] for row in _found(text, published)] == [expected]


def test_a_year_that_names_a_body_is_no_date():
    assert _found("The chairman of the 1922 committee met the 1848 Society.", D(2019, 5, 20)) == []
    # A year before an event or a plan still places it in time.
    assert _found("Unlike the 1922 election, the 1987 budget passed.", D(1987, 3, 1)) == [
        ("1922", D(1922, 1, 1), "year", "absolute"), ("1987", D(1987, 1, 1), "year", "absolute")]


def test_a_delivery_month_is_a_contract_and_a_month_of_trading_a_time():
    text = ("Crude futures for delivery in January rose 47 cents a barrel, and the exchange traded a record "
            "300,000 contracts in February.")
    assert _found(text, D(2005, 12, 12)) == [("February", D(2005, 2, 1), "month", "absolute")]


def test_a_month_labelling_a_row_of_figures_or_a_quote_list_is_no_date():
    rows = "Maize prev 12.5, Feb 8.7, March 4.2, Apr 1.0, total 26.4\n"
    quotes = ("Barge rates firmed, dealers said. Quotes included -\n - On station upper river 120 pct bid/127 offered.\n"
              " - March lower river 112-1/2 pct bid/120 offered - no comparison.\n")
    assert _found(rows, D(1988, 3, 3)) == []
    assert _found(quotes, D(1988, 3, 3)) == []


@pytest.mark.parametrize("text", [
    "Soybean futures were mixed, with spot April pacing the gain while nearby June was unchanged at 125 cents.",
    "Live cattle futures settled higher, December closing up the limit of 1.5 cents a pound and April ran up 1.4 cents.",
    "June 10-year bond futures closed higher.",                         # the contract named a few words on
    "The ministry ordered barley for April/May delivery.",              # a delivery month needs no market around it
])
def test_futures_desk_words_name_a_contract(text):
    assert [row[0] for row in _found(text, D(1987, 3, 3))] == []


def test_a_month_of_trading_volume_stays_a_date_in_a_market_report():
    text = ("Futures volume rose. Total trading volume for March reached 6.7 million contracts, and a total of "
            "six indicators available for January contributed to the decline in contracts.")
    assert [row[0] for row in _found(text, D(1987, 4, 3))] == ["March", "January"]


@pytest.mark.parametrize("text", [
    "Taiwan bought 54,000 tonnes of corn for April shipment, private export sources said.",
    "Initially, only January, March and May delivery months will be listed.",
    "The premium for the November to April shipment rose to 13.50 dlrs per tonne.",
    "Wheat was offered at 17 over July, no bid, and futures settled at 3 cents a bushel higher.",
    "The breakout projects gains to 103 in June T-bonds, futures traders said as bonds settled.",
])
def test_shipment_windows_month_lists_and_basis_quotes_name_contracts(text):
    assert [row[0] for row in _found(text, D(1987, 3, 3))] == []


def test_a_basis_quote_names_a_contract_in_any_article_and_a_rise_over_a_month_is_a_time():
    assert [row[0] for row in _found("Wheat for June was offered at 17 over July, no bid.", D(1987, 3, 3))] == ["June"]
    assert [row[0] for row in _found("Exports rose 3 pct over July levels.", D(1987, 9, 3))] == ["July"]

"""The matcher: boundaries, longest match, case policies, rules, document-level evidence, the
output contract. Mechanics on a tiny hand-built gazetteer; watchlist traps on the real one."""

from __future__ import annotations

from pathlib import Path

import pytest

from loaders.gazetteer_files import read_gazetteer
from sitroom.gazetteer import Alias, Entity, Gazetteer, Rule, slugify
from sitroom.matching import Matcher
from sitroom.records import Mention


def country(iso2: str, name: str, *aliases: Alias) -> Entity:
    return Entity(id=f"country:{iso2}", type="country", name_en=name, iso2=iso2,
                  aliases=(Alias(name, "en", "name", "capitalised"), *aliases))


@pytest.fixture(scope="module")
def tiny() -> Matcher:
    g = Gazetteer(
        entities=(
            country("ML", "Mali"), country("SO", "Somalia", Alias("Somalie", "fr", "name", "capitalised")),
            country("NE", "Niger"), country("NG", "Nigeria"), country("OM", "Oman"),
            country("US", "United States", Alias("US", "en", "code", "exact"), Alias("White House", "en", "seat_of_power")),
            country("TR", "Turkey"),
            country("SD", "Sudan"), country("SS", "South Sudan"),
            country("CN", "China", Alias("Pékin", "fr", "capital", "capitalised"), Alias("chinois", "fr", "demonym")),
            Entity(id="weapon:storm-shadow", type="weapon", name_en="Storm Shadow",
                   aliases=(Alias("Storm Shadow", "", "name", "capitalised"),)),
            Entity(id="weapon:f-16", type="weapon", name_en="F-16", aliases=(Alias("F-16", "", "name", "exact"),)),
            Entity(id="weapon:patriot", type="weapon", name_en="MIM-104 Patriot",
                   aliases=(Alias("Patriot", "", "alias", "capitalised", "patriot"),)),
            Entity(id="company:iemz-kupol", type="company", name_en="IEMZ Kupol",
                   aliases=(Alias("IEMZ Kupol", "", "name", "capitalised"), Alias("Kupol", "", "alias", "capitalised", "kupol"))),
            Entity(id="person:kin", type="person", name_en="Kin", aliases=(Alias("kin", "", "name", "insensitive"),)),
        ),
        rules={
            "patriot": Rule("patriot", cues=("missile*", "battery", "batterie*"), vetoes=("act",), window=40, doc_entity=False),
            "kupol": Rule("kupol", cues=("izhevsk",), window=0, doc_entity=True),
        },
        stops=("Patriot Act",),
        version="test",
    )
    return Matcher.from_gazetteer(g)


def ids(ms: list[Mention]) -> list[str]:
    return [m.entity_id for m in ms]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("La Somalie et le Mali", ["country:SO", "country:ML"]),  # Mali never inside Somalie
        ("Somalia", ["country:SO"]),
        ("Romania and Oman", ["country:OM"]),  # Oman not in Romania
        ("à Pékin", ["country:CN"]),  # kin not in Pékin
        ("Nigeria and Niger", ["country:NG", "country:NE"]),  # longest match, then the shorter elsewhere
        ("Nigerian", []),
        ("South Sudan and Sudan", ["country:SS", "country:SD"]),
        ("a Storm Shadow strike", ["weapon:storm-shadow"]),
        ("F-16s for Kyiv", ["weapon:f-16"]),  # English plural after a designator
        ("F-160", []),
        ("F-16.5 and F-16, then F-16.", ["weapon:f-16", "weapon:f-16"]),  # not inside a decimal
    ],
)
def test_boundaries_and_longest_match(tiny: Matcher, text: str, expected: list[str]) -> None:
    assert ids(tiny.find_mentions(text, "")) == expected


def test_case_policies(tiny: Matcher) -> None:
    assert ids(tiny.find_mentions("Turkey and turkey", "")) == ["country:TR"]
    assert ids(tiny.find_mentions("TURKEY VOTES", "")) == ["country:TR"]  # all caps keeps the capital
    assert ids(tiny.find_mentions("Let us go; the US went", "")) == ["country:US"]
    assert ids(tiny.find_mentions("Les chinois et les Chinois", "", "fr")) == ["country:CN", "country:CN"]


def test_short_codes_are_ignored_in_all_caps_fields(tiny: Matcher) -> None:
    assert ids(tiny.find_mentions("TELL US WHAT YOU THINK OF IT", "")) == []
    assert ids(tiny.find_mentions("US troops arrive", "")) == ["country:US"]


def test_context_rule_needs_a_cue_and_honours_vetoes_and_stops(tiny: Matcher) -> None:
    assert ids(tiny.find_mentions("Germany sends a Patriot battery", "")) == ["weapon:patriot"]
    assert ids(tiny.find_mentions("A Patriot fan", "")) == []
    assert ids(tiny.find_mentions("The Patriot Act vote", "")) == []  # stop phrase wins by length
    assert ids(tiny.find_mentions("Patriot missile act", "")) == []  # a veto beats a cue


def test_document_level_evidence(tiny: Matcher) -> None:
    # Bare "Kupol" (dome) counts once the company is named unambiguously in the same article.
    assert ids(tiny.find_mentions("Kupol says nothing", "")) == []
    found = tiny.find_mentions("Kupol says nothing", "IEMZ Kupol was sanctioned.")
    assert ids(found) == ["company:iemz-kupol", "company:iemz-kupol"]
    assert [m.field for m in found] == ["title", "summary"]
    assert ids(tiny.find_mentions("Kupol expands", "The plant is in Izhevsk.")) == ["company:iemz-kupol"]


def test_output_contract(tiny: Matcher) -> None:
    title = "Talks at the White House"
    summary = "Officials from l’Iran... no: from Pékin arrived."
    found = tiny.find_mentions(title, summary, "fr")
    assert found == [
        Mention("country:US", "country", "United States", "US", "White House", 13, 24, "title", "seat_of_power"),
        Mention("country:CN", "country", "China", "CN", "Pékin", 34, 39, "summary", "capital"),
    ]
    for m in found:
        assert (title if m.field == "title" else summary)[m.start : m.end] == m.alias


def test_slugify_matches_the_id_scheme() -> None:
    assert slugify("IEMZ Kupol") == "iemz-kupol"
    assert slugify("Sichuan AEE") == "sichuan-aee"
    assert slugify("Garpiya-3") == "garpiya-3"
    assert slugify("Élysée  (palace)") == "elysee-palace"


# --- the real gazetteer: the ambiguity watchlist's traps -------------------------------------

@pytest.fixture(scope="module")
def real() -> Matcher:
    return Matcher.from_gazetteer(read_gazetteer(user_file=Path("/nonexistent/user.csv")))


def found(m: Matcher, title: str, summary: str = "", lang: str | None = "en") -> set[str]:
    return {x.entity_id for x in m.find_mentions(title, summary, lang)}


@pytest.mark.parametrize(
    ("title", "summary", "lang", "present", "absent"),
    [
        ("Roast turkey recipes for the holidays", "", "en", set(), {"country:TR"}),
        ("Turkey summons Swedish envoy", "", "en", {"country:TR", "country:SE"}, set()),
        ("Türkiye hosts talks", "", "en", {"country:TR"}, set()),
        ("Georgia votes on Tuesday", "Polls close in Atlanta at 7pm; the county count follows.", "en", set(), {"country:GE"}),
        ("Georgia protests continue", "Thousands marched in Tbilisi against the law.", "en", {"country:GE"}, set()),
        ("Protests in Georgia", "Opposition rallies near the parliament in Tbilissi.", "fr", {"country:GE"}, set()),
        ("Michael Jordan's sneakers sell for millions", "", "en", set(), {"country:JO"}),
        ("Refugees cross into Jordan", "", "en", {"country:JO"}, set()),
        ("Chad Smith joins the band", "", "en", set(), {"country:TD"}),
        ("Soldiers deployed in Chad", "", "en", {"country:TD"}, set()),
        ("Le delta du Niger pollué", "", "fr", set(), {"country:NE"}),
        ("Congo: fighting near Goma", "M23 rebels advance in North Kivu.", "en", {"country:CD"}, {"country:CG"}),
        ("Brazzaville hosts summit on Congo basin", "President Sassou Nguesso opened it.", "en", {"country:CG"}, set()),
        ("North and South Korea trade fire", "", "en", set(), set()),
        ("Pyongyang fires missile", "Korea tensions rise.", "en", {"country:KP"}, set()),
        ("Tankers in the Persian Gulf", "", "en", set(), {"country:IR"}),
        ("Storms in the Indian Ocean", "", "en", set(), {"country:IN"}),
        ("Washington Post editor resigns", "", "en", set(), {"country:US"}),
        ("Paris Saint-Germain win again", "", "en", set(), {"country:FR"}),
        ("Brussels agrees sanctions package", "EU ministers met on Monday.", "en", {"org:eu"}, set()),
        ("Senate debates the Patriot Act", "", "en", set(), {"weapon:mim-104-patriot"}),
        ("Berlin sends a Patriot battery to Kyiv", "", "en", {"weapon:mim-104-patriot"}, set()),
        ("New England Patriots beat the Jets", "", "en", set(), {"weapon:mim-104-patriot"}),
        ("A leopard seen in the park", "", "en", set(), {"weapon:leopard-2"}),
        ("Germany approves Leopard 2 deliveries", "", "en", {"weapon:leopard-2"}, set()),
        ("Caesar salad recipe", "", "en", set(), {"weapon:caesar"}),
        ("France sends Caesar howitzers", "", "en", {"weapon:caesar"}, set()),
        ("Une rafale de vent", "", "fr", set(), {"weapon:dassault-rafale"}),
        ("L'Inde commande 26 Rafale Marine", "", "fr", {"weapon:dassault-rafale"}, set()),
        ("Le mistral souffle sur la Provence", "", "fr", set(), {"weapon:mistral"}),
        ("Study in The Lancet on malaria", "", "en", set(), {"weapon:lancet"}),
        ("Russia uses Lancet drones near Bakhmut", "", "en", {"weapon:lancet"}, set()),
        ("Tor browser blocked", "", "en", set(), {"weapon:tor-m2"}),
        ("Leonardo DiCaprio film premieres", "", "en", set(), {"company:leonardo"}),
        ("Un peu de safran dans la recette", "", "fr", set(), {"company:safran"}),
        ("Harpy drones sold to India", "", "en", set(), {"weapon:garpiya-3"}),
        ("TSK Vektor sanctioned", "", "en", {"company:tsk-vektor"}, set()),
        ("Vektor denies", "The firm TSK Vektor was sanctioned.", "en", {"company:tsk-vektor"}, set()),
        ("Vektor graphics", "A Russian virology centre.", "en", set(), {"company:tsk-vektor"}),
        ("Ukraine asks for more Leopard tanks", "", "en", {"weapon:leopard-2"}, set()),
        ("Vector graphics explained", "", "en", set(), {"company:tsk-vektor"}),
        ("La Chine et la Somalie", "", "fr", {"country:CN", "country:SO"}, {"country:ML"}),
        ("Branksome Chine beach clean-up", "", "en", set(), {"country:CN"}),  # 'chine' is a ravine in English
        ("Poutine et Zelensky", "", "fr", {"person:vladimir-putin", "person:volodymyr-zelensky"}, set()),
        ("Best poutine in Montreal: Poutine week", "", "en", set(), {"person:vladimir-putin"}),
        ("Shahed136 and Shahed 136 and Шахед-136 drones", "", "en", {"weapon:shahed-136"}, set()),
        ("Kinjal et Кинжал", "", "fr", {"weapon:kh-47m2-kinzhal"}, set()),
        ("IEMZ «Kupol» and JSC \"Kupol\"", "", "en", {"company:iemz-kupol"}, set()),
        ("ZALA 421-16\u0415 drone shot down", "", "en", {"weapon:zala-421-16e"}, set()),
        ("A Sukhoi-34 crashed", "", "en", {"weapon:su-34", "company:sukhoi"}, set()),  # the maker inside the name
        ("HIMARS MLRS delivered", "", "en", {"weapon:m142-himars"}, {"weapon:m270-mlrs"}),
        ("Deposits rose to SR5.43 billion", "", "en", set(), {"weapon:sr-5"}),
        ("Amazon opens HQ2 offices", "", "en", set(), {"weapon:hq-2"}),
    ],
)
def test_watchlist_traps(real: Matcher, title: str, summary: str, lang: str, present: set[str], absent: set[str]) -> None:
    got = found(real, title, summary, lang)
    assert present <= got, f"missing {present - got} in {got}"
    assert not (absent & got), f"false {absent & got}"


def test_korea_alone_is_left_unresolved(real: Matcher) -> None:
    assert not {"country:KP", "country:KR"} & found(real, "Korea heatwave", "Temperatures soar.")


def test_capitals_and_seats_are_marked(real: Matcher) -> None:
    kinds = {m.alias: m.match_kind for m in real.find_mentions("Le Kremlin et la Maison-Blanche", "Pékin, l'Élysée", "fr")}
    assert kinds == {"Kremlin": "seat_of_power", "Maison-Blanche": "seat_of_power", "Pékin": "capital", "Élysée": "seat_of_power"}


def test_page_noise_names_nothing(real: Matcher) -> None:
    assert real.find_mentions("| 2 475", "Source link", "fr") == []
    assert real.find_mentions("Source link", "| 2\u202f475 |", None) == []


def test_every_watchlist_rule_in_the_data_is_used(real: Matcher) -> None:
    g = read_gazetteer(user_file=Path("/nonexistent/user.csv"))
    used = {a.rule for e in g.entities for a in e.aliases if a.rule}
    assert set(g.rules) - used <= {"weapon_any", "person_surname"}

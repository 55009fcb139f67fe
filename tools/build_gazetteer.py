"""Build data/gazetteer/ from the source files in ../shared/gazetteer-sources plus the hand-curated
tables in this script (`data/gazetteer/curated_additions.jsonl` is read too).

Re-runnable: `python tools/build_gazetteer.py [--sources DIR] [--out DIR]`. Output, one JSON
object per line, sorted, so that a rebuild diff shows what changed:

  countries.jsonl companies.jsonl weapons.jsonl weapon_classes.jsonl organisations.jsonl
  persons.jsonl      entities (id, type, names, codes, relations, aliases with kind/case/rule)
  rules.jsonl        context rules for ambiguous aliases (the ambiguity watchlist, as data)
  stops.txt          phrases that win by length and name nothing (Patriot Act, Persian Gulf)

Principle: precision first. An alias that is a common word gets a case policy or a context
rule; generic Oryx/SIPRI designations are kept only when they contain a digit (T-72B3, 2S19).
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
import unicodedata
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sitroom.gazetteer import entity_id, slugify  # noqa: E402
from sitroom.textnorm import CYRILLIC_LOOKALIKES  # noqa: E402

DEFAULT_SOURCES = ROOT.parent / "shared" / "gazetteer-sources"
DEFAULT_OUT = ROOT / "data" / "gazetteer"

Record = dict[str, Any]

# --- rules (the watchlist's suggested rules, as data) ------------------------------------

MISSILE_CUES = [
    "missile*", "batter*", "batterie*", "system*", "systeme*", "launcher*", "lanceur*", "air defen*",
    "defense aerienne", "defense antiaerienne", "anti-aerien*", "antiaerien*", "intercept*", "sam",
    "pac-2", "pac-3", "frappe*", "strike*", "tir", "tirs", "fired", "roquette*", "rocket*", "munition*",
]
DRONE_CUES = ["drone*", "uav*", "uas", "loitering", "rodeu*", "kamikaze*", "ucav", "unmanned", "sans pilote"]
AIR_CUES = [
    "jet*", "fighter*", "aircraft", "avion*", "chasseur*", "warplane*", "bomber*", "bombardier*",
    "pilot*", "squadron*", "escadrille*", "helicopter*", "helicoptere*", "air force", "armee de l'air",
]
LAND_CUES = [
    "tank*", "char", "chars", "blinde*", "armou?r*", "armored", "armoured", "vehicle*", "vehicule*",
    "howitzer*", "obusier*", "canon*", "cannon*", "artiller*", "self-propelled", "automoteur*",
    "brigade*", "battalion*", "bataillon*", "ifv", "apc",
]
NAVAL_CUES = [
    "navire*", "ship*", "croiseur*", "cruiser*", "frigate*", "fregate*", "destroyer*", "submarine*",
    "sous-marin*", "flotte*", "fleet*", "naval*", "navy", "marine", "warship*", "porte-avions", "carrier*",
]
WEAPON_CUES = sorted(set(MISSILE_CUES + DRONE_CUES + AIR_CUES + LAND_CUES + NAVAL_CUES))
COMPANY_CUES = [
    "company", "companies", "group", "groupe", "concern", "firm", "entreprise*", "societe*", "fabricant*",
    "manufacturer*", "maker*", "constructeur*", "industriel*", "contractor*", "corp", "corporation",
    "holding", "shares", "action*", "ceo", "pdg", "jsc", "pjsc", "ao", "oao", "plant", "usine*", "factory",
    "sanction*", "defence", "defense", "armement*", "arms", "contrat*", "contract*",
]

EU_CUES = [
    "europe*", "commission*", "ue", "eu", "sommet*", "summit*", "sanction*", "member states", "etats membres",
    "vingt-sept", "twenty-seven", "regulat*", "reglement*", "directive*", "budget*", "negoti*", "negoci*",
    "trade", "commerc*", "ministres", "ministers", "von der leyen", "michel", "parlement", "parliament",
    "diplomat*", "brexit", "nato", "otan", "bloc", "tariff*", "droits de douane", "eurozone", "zone euro",
]

RULES: list[Record] = [
    {"name": "weapon_missile", "cue_types": ["weapon"], "cues": MISSILE_CUES},
    {"name": "weapon_drone", "cue_types": ["weapon"], "cues": DRONE_CUES},
    {"name": "weapon_air", "cue_types": ["weapon"], "cues": AIR_CUES + MISSILE_CUES},
    {"name": "weapon_land", "cue_types": ["weapon"], "cues": LAND_CUES},
    {"name": "weapon_naval", "cue_types": ["weapon"], "cues": NAVAL_CUES},
    {"name": "weapon_any", "cue_types": ["weapon"], "cues": WEAPON_CUES},
    # Patriot: capitalised + air-defence words within a few words; PAC-2/PAC-3/MIM-104 are aliases.
    {"name": "patriot", "cue_types": ["weapon"], "cues": [*MISSILE_CUES, "ukraine", "kyiv", "kiev", "russia*", "russie"], "window": 60,
     "vetoes": ["act", "front", "uaz", "new england", "football", "nfl", "patriots"]},
    {"name": "leopard", "cue_types": ["weapon"], "cues": [*LAND_CUES, "ukraine", "allemand*", "german*", "rheinmetall", "knds", "kmw"]},
    {"name": "javelin", "cue_types": ["weapon"], "cues": [*MISSILE_CUES, "anti-tank", "antichar*", "atgm", "lance-missile*"],
     "vetoes": ["throw*", "lancer", "athlet*", "olymp*"]},
    {"name": "caesar", "cue_types": ["weapon"], "cues": ["canon*", "obusier*", "howitzer*", "artiller*", "knds", "nexter", "155*", "automoteur*"],
     "vetoes": ["jul*", "salad*", "salade*", "palace", "caesars"]},
    {"name": "rafale", "cue_types": ["weapon"], "cues": [*AIR_CUES, "dassault", "f4", "f5", "rafale m", "commande*", "order*"],
     "mid_sentence_ok": True, "vetoes": ["vent", "tir*", "wind*", "gust*", "rafales"]},
    {"name": "mistral", "cue_types": ["weapon"], "cues": [*MISSILE_CUES, "mbda", "manpads"], "vetoes": ["mistral ai", "vent", "wind"]},
    {"name": "tor", "cue_types": ["weapon"], "cues": [*MISSILE_CUES, "kupol", "koupol", "sa-15"], "vetoes": ["browser", "network", "reseau", "onion"]},
    {"name": "gepard", "cue_types": ["weapon"], "cues": [*LAND_CUES, *MISSILE_CUES, "ammunition", "ukrain*", "flak",
     "anti-aircraft", "sca", "spaag", "flakpanzer", "kmw", "knds"]},
    {"name": "buk", "cue_types": ["weapon"], "cues": [*MISSILE_CUES, "mh17", "mh-17"]},
    {"name": "grad", "cue_types": ["weapon"], "cues": ["rocket*", "roquette*", "launcher*", "lance-roquette*", "mlrs", "bm-21", "salvo*", "salve*"]},
    {"name": "orion", "cue_types": ["weapon"], "cues": [*DRONE_CUES, "kronshtadt", "kronstadt"]},
    {"name": "lancet", "cue_types": ["weapon"], "cues": [*DRONE_CUES, "zala", "munition*", "loitering", "rodeu*", "strike*", "frappe*"],
     "vetoes": ["the lancet", "journal", "revue", "study", "etude", "medical", "medicale"]},
    {"name": "neptune", "cue_types": ["weapon"], "cues": [*MISSILE_CUES, "moskva"], "vetoes": ["planet*", "planete*"]},
    # Countries that are common words or first names.
    {"name": "georgia", "window": 0, "cues": [
        "tbilisi", "tbilissi", "caucas*", "abkhaz*", "abkhaz", "ossetia", "ossetie", "georgian dream",
        "reve georgien", "kavelashvili", "kobakhidze", "zourabichvili", "ivanichvili", "ivanishvili",
        "ex-sovi*", "former soviet", "black sea", "mer noire", "russie", "russia*", "ue", "eu"],
     "vetoes": ["atlanta", "savannah", "ga.", "county", "governor kemp", "kemp", "etat de georgie",
                "state of georgia", "bulldogs", "peach state", "senate runoff", "fulton"]},
    {"name": "georgian", "window": 0, "cues": [
        "tbilisi", "tbilissi", "caucas*", "abkhaz*", "ossetia", "georgian dream", "russia*", "ex-sovi*"],
     "vetoes": ["architecture", "era", "terrace*", "house*", "townhouse*", "regency"]},
    {"name": "jordan", "window": 40, "doc_entity": True, "before": ["in", "to", "from", "of", "and", "with", "neighbouring", "neighboring"],
     "cues": ["amman", "jordanian*", "jordan's", "king abdullah", "abdullah", "jordanian*", "west bank",
              "israel*", "syria*", "iraq*", "saudi*", "gaza", "egypt*", "lebanon", "palestin*", "middle east", "refugee*"],
     "vetoes": ["michael", "air jordan", "jordan river", "river jordan", "chris", "nba", "jordan peterson",
                "world number", "number", "sets", "seed", "tennis", "golf*", "player*", "striker", "midfielder",
                "jordan bardella", "bardella", "jordan henderson", "jordan pickford", "jordan spieth"]},
    {"name": "chad", "window": 40, "before": ["in", "to", "from", "of", "and", "neighbouring", "neighboring"], "cues": [
        "says", "said", "government", "president", "army", "junta", "military", "troops", "border", "soldiers",
        "transitional", "election*", "refugee*", "n'djamena", "ndjamena", "sahel", "africa*", "sudan*", "niger", "libya*",
        "cameroon", "deby", "darfur", "lake chad", "chadian*"], "vetoes": ["hanging"]},
    {"name": "turkey", "veto_only": True, "window": 20, "doc_entity": False, "cues": [],
     "vetoes": ["roast", "dinner*", "breast*", "sandwich*", "thanksgiving", "stuffing", "gravy", "wild turkey",
                "cold turkey", "turkey trot"], "mid_sentence_ok": True},
    {"name": "congo_cd", "window": 0, "cues": [
        "kinshasa", "rdc", "drc", "democrati*", "tshisekedi", "kabila", "m23", "goma", "kivu", "ituri",
        "lubumbashi", "katanga", "kasai", "bukavu"], "doc_entity": True},
    {"name": "congo_cg", "window": 0, "cues": ["brazzaville", "sassou*", "pointe-noire"], "doc_entity": True},
    {"name": "korea_kr", "window": 0, "cues": ["south", "sud", "seoul", "yoon", "lee jae-myung", "samsung", "hyundai"]},
    {"name": "korea_kp", "window": 0, "cues": ["north", "nord", "pyongyang", "kim jong*", "dprk"]},
    {"name": "macedonia", "window": 0, "cues": ["skopje", "north", "nord", "balkan*", "mickoski", "siljanovska"],
     "vetoes": ["greek", "grecque", "alexander", "alexandre", "ancient", "antique", "thessaloniki", "thessalonique"]},
    {"name": "maurice", "window": 40, "langs": ["fr"], "doc_entity": True, "before": ["ile", "a"],
     "cues": [ "l'ile", "port-louis", "mauricien*", "ocean indien", "chagos", "archipel"]},
    # French "réunion" (a meeting) starts many sentences; the island is "La Réunion" or mid-sentence.
    {"name": "reunion", "window": 60, "before": ["la", "de", "a"], "mid_sentence_ok": True,
     "cues": ["ile", "outre-mer", "saint-denis", "reunionnais*", "mayotte", "ocean indien", "departement*"]},
    {"name": "chili", "veto_only": True, "langs": ["fr"], "mid_sentence_ok": True,
     "vetoes": ["con carne", "piment*", "sauce", "pepper*", "recette*"]},
    {"name": "salvador", "window": 30, "before": ["au", "du", "le", "el"], "cues": [ "bukele", "san salvador", "salvadorien*", "salvadoran*"],
     "vetoes": ["dali", "bahia", "brazil", "bresil"]},
    {"name": "dominica", "window": 0, "cues": ["roseau", "caribbean", "caraibes", "skerrit", "island", "ile"]},
    {"name": "niger", "veto_only": True, "window": 30, "doc_entity": True, "cues": [], "vetoes": ["delta", "river", "fleuve"],
     "mid_sentence_ok": True},
    {"name": "guinea_word", "veto_only": True, "window": 20, "cues": [], "vetoes": ["pig*", "fowl", "worm"], "mid_sentence_ok": True},
    {"name": "american", "veto_only": True, "window": 20, "cues": [], "doc_entity": False, "mid_sentence_ok": True,
     "vetoes": ["latin", "latine", "south", "north", "central", "centrale", "native", "amerindien*", "sud", "nord",
                "inter"]},  # "Inter-American Court"
    # Capitals that are also people or other places.
    {"name": "washington", "veto_only": True, "window": 30, "doc_entity": False, "mid_sentence_ok": True,
     "vetoes": ["george", "denzel", "state", "etat", "seattle", "spokane", "post", "commanders", "wizards",
                "nationals", "capitals", "mystics", "huskies", "booker", "irving"]},
    {"name": "paris", "veto_only": True, "window": 30, "doc_entity": False, "mid_sentence_ok": True,
     "vetoes": ["hilton", "saint-germain", "psg", "accord*", "agreement", "climat*", "climate", "goals",
                "targets", "objectifs", "cop21", "pledge*", "jackson",
                "texas", "olympi*", "jo", "games", "jeux", "fashion", "mode", "marathon", "2024", "masters"]},
    {"name": "capital_common", "veto_only": True, "window": 30, "doc_entity": False, "mid_sentence_ok": True,
     "vetoes": ["ontario", "idaho", "jack", "spartak", "cska", "dynamo", "chicken", "poulet", "marathon",
                "wall", "mur", "pact", "pacte", "memorandum", "agreement*", "accord*", "congress", "congres",
                "university", "universite", "duck", "canard", "club", "fc"]},
    # Brussels/Bruxelles: the EU when the article is about EU business, else the Belgian capital.
    {"name": "brussels_eu", "window": 0, "doc_entity": True, "cues": EU_CUES},
    {"name": "brussels_be", "window": 0, "veto_only": True, "vetoes": EU_CUES},
    {"name": "icc", "window": 0, "veto_only": True, "vetoes": [
        "cricket*", "t20", "odi", "test match*", "wicket*", "world cup", "batter*", "bowler*", "chamber of commerce"]},
    # Companies that are common words or first names.
    {"name": "company_strict", "window": 40, "cues": [
        "corp", "corporation", "inc", "company", "group", "shares", "contractor*", "defense firm", "defence firm"]},
    {"name": "company_context", "window": 0, "cues": COMPANY_CUES + WEAPON_CUES, "cue_types": ["company", "weapon"]},
    {"name": "kupol", "cues": [
        "iemz", "izhevsk", "ijevsk", "garpiya*", "garpia*", "almaz-antey", "almaz-antei", "drone*", "plant",
        "usine*", "fabricant*", "manufacturer*", "maker*", "arms", "armes", "jsc", "ao", "sanction*"]},
    {"name": "vektor", "cues": ["tsk"], "doc_entity": True},
    {"name": "leonardo", "cues": [*COMPANY_CUES, "italien*", "italian", "helicopter*", "helicoptere*", "finmeccanica"],
     "vetoes": ["da vinci", "de vinci", "dicaprio", "vinci", "del vecchio", "bonucci", "messi", "football"]},
    {"name": "rafael", "cues": ["iron dome", "dome de fer", "israeli", "israelien*", "defense*", "defence", "missile*", "spike", "trophy"],
     "vetoes": ["nadal"]},
    {"name": "safran", "window": 0, "cue_types": ["company", "weapon"], "cues": [*COMPANY_CUES, "motoriste*", "moteur*", "engine*", "aeronautique", "aerospace"],
     "mid_sentence_ok": True, "vetoes": ["epice*", "spice*", "saffron", "pistil*", "cuisine", "recette*"]},
    {"name": "thales", "veto_only": True, "cues": [], "mid_sentence_ok": True, "vetoes": ["milet", "miletus", "philosoph*", "theoreme", "theorem"]},
    {"name": "wagner", "cues": [
        "groupe", "group", "mercenaire*", "mercenar*", "prigozhin", "prigojine", "paramilitar*", "milice*",
        "militia*", "africa corps", "pmc", "mali", "centrafrique", "central african", "libya", "libye",
        "bakhmut", "mutiny", "mutinerie", "fighters", "combattants", "soldats", "troops"],
     "vetoes": ["richard", "opera", "bayreuth", "composer", "compositeur", "tristan", "walkyrie", "valkyrie"]},
    {"name": "alabuga", "cues": [*DRONE_CUES, "sez", "zone", "factory", "usine*", "plant", "tatarstan", "yelabuga", "elabouga", "shahed*", "geran*"]},
    {"name": "car_country", "window": 0, "cues": ["bangui", "central african", "touadera", "centrafri*"]},
    # Person names that are also common words or first names.
    {"name": "person_surname", "window": 0, "cues": [], "doc_entity": True, "mid_sentence_ok": True},
    # A common surname (Harris, Johnson, Austin) only when the full name is in the same article.
    {"name": "person_doc", "window": 0, "cues": [], "doc_entity": True},
]

# Stop phrases: longest match wins, and these name nothing.
STOPS = [
    "Patriot Act", "New England Patriots", "Patriot Front", "UAZ Patriot", "Patriots",
    "Caesar salad", "salade César", "Julius Caesar", "Jules César", "Caesars Palace",
    "The Lancet", "Mistral AI", "Thalès de Milet", "Thales of Miletus", "Leonardo da Vinci", "Léonard de Vinci",
    "Leonardo DiCaprio", "Paris Saint-Germain", "Paris Hilton", "Accord de Paris", "Accords de Paris",
    "Paris Agreement", "Paris climate agreement", "Washington Post", "George Washington", "Denzel Washington",
    "Washington State", "État de Washington", "Washington Commanders", "Washington Capitals",
    "New Jersey", "New Mexico", "New Guinea", "New South Wales", "New York", "New England", "Jordan River",
    "Air Jordan", "Michael Jordan", "Niger Delta", "delta du Niger", "fleuve Niger", "Persian Gulf",
    "golfe Persique", "Indian Ocean", "océan Indien", "Indian Premier League", "American Indian",
    "Indiens d'Amérique", "Latin America", "Latin American", "Amérique latine", "South America",
    "Amérique du Sud", "North America", "Amérique du Nord", "Central America", "Amérique centrale",
    "Native American", "Native Americans", "North Pole", "South Pole", "pôle Nord", "pôle Sud",
    "Pole position", "guinea pig", "guinea pigs", "Mexico City", "Chicken Kiev", "poulet à la Kiev",
    "Dynamo Kiev", "Dynamo Kyiv", "Spartak Moscow", "CSKA Moscow", "Berlin Wall", "mur de Berlin",
    "Warsaw Pact", "pacte de Varsovie", "Budapest Memorandum", "mémorandum de Budapest", "Peking duck",
    "Peking University", "canard laqué", "Christmas Island", "Turkey Trot", "cold turkey", "Wild Turkey",
    "Minsk agreements", "accords de Minsk", "Rome Statute", "statut de Rome", "traité de Rome",
    "Treaty of Rome", "London Ontario", "Jack London", "Moscow Idaho", "Georgia Tech", "Jordan Bardella",
    "Jordan Peterson", "Jordan Henderson", "Jordan Pickford", "Chili con carne", "Salvador Dalí",
    "Trump Tower", "Trump Organization", "Harpy eagle", "Amerique latine", "English Channel",
    "Congo River", "fleuve Congo", "Sudan virus", "Dominican Republic", "République dominicaine",
    "Turkish delight", "loukoum", "French fries", "frites", "French Open", "French Riviera",
    "Chinese New Year", "Nouvel An chinois", "German shepherd", "berger allemand", "Spanish flu",
    "grippe espagnole", "Swiss cheese", "Panama Canal", "canal de Panama", "Suez Canal",
    "Marshall Plan", "plan Marshall",
    "Real Madrid", "Atletico Madrid", "Atlético Madrid", "Atlético de Madrid", "Credit Suisse", "Crédit Suisse",
    "Dakar Rally", "rallye Dakar", "Korean Peninsula", "péninsule coréenne", "think tank", "think tanks",
    "think-tank", "think-tanks", "fish tank", "septic tank", "fuel tank", "water tank", "oil tank", "gas tank",
    "tank top", "suicide bomber", "suicide bombers", "Tank Day", "Royal Air Maroc", "Air India", "Air France",
    "Turkish Airlines", "Qatar Airways", "Emirates airline", "Saudi Pro League", "Indian Wells",
    "Leonardo Del Vecchio", "Kim Kardashian", "Virginia Tech", "West Virginia",
    "Dassault Systèmes", "Dassault Systemes", "Bank of America", "Captain America", "America's Cup",
    "Miss America", "Good Morning America", "National Security Council", "Conseil de sécurité nationale",
    "Russian Security Council", "Conseil de sécurité russe", "Security Council of Russia",
]

# --- countries ----------------------------------------------------------------------------

NON_MEMBER_STATES = {"PS", "VA", "TW", "XK", "EH"}
# Country names that are common words or first names: a context rule (or a capital policy) each.
COUNTRY_NAME_RULES: dict[str, dict[str, str]] = {
    "GE": {"Georgia": "georgia", "Géorgie": "georgia"},
    "JO": {"Jordan": "jordan"},
    "TD": {"Chad": "chad"},
    "TR": {"Turkey": "turkey"},
    "NE": {"Niger": "niger"},
    "GN": {"Guinea": "guinea_word"},
    "MU": {"Maurice": "maurice"},
    "RE": {"Réunion": "reunion"},
    "CL": {"Chili": "chili"},
    "SV": {"Salvador": "salvador"},
    "DM": {"Dominica": "dominica"},
    "MK": {"Macedonia": "macedonia", "Macédoine": "macedonia"},
}
# Aliases to drop from the sources, per country (too ambiguous, wrong, or handled elsewhere).
COUNTRY_DROP: dict[str, set[str]] = {
    "CG": {"Congo"},  # bare Congo: ambiguous, added below with rules for CD and CG
    "CD": {"Congo"},
    "US": {"US", "USA"},  # added below as exact codes
    "GB": {"UK"},
    "DM": {"Dominican", "Dominicans", "Dominiquais"},
    "NL": {"Nederland"},
    "IS": {"Island"}, "FJ": {"Viti"}, "MX": {"Mexicanos"}, "PT": {"Portuguesa"}, "TH": {"Prathet"},
    "JP": {"Nippon", "Nihon"}, "IR": {"Perse"}, "AE": {"Emirates", "Emirats"}, "TG": {"Togolese"},
    "IN": set(),
    "VA": {"Vatican"},  # a seat of power below
    "MK": {"The former Yugoslav Republic of Macedonia", "Macedonia, The Former Yugoslav Republic of"},
}
COUNTRY_EXTRA: list[tuple[str, str, str, str, str, str]] = [
    # iso2, text, lang, kind, case, rule
    ("US", "US", "en", "code", "exact", ""),
    ("US", "USA", "", "code", "exact", ""),
    ("US", "U.S.", "en", "code", "exact", ""),
    ("US", "U.S.A.", "en", "code", "exact", ""),
    ("US", "America", "en", "name", "capitalised", "american"),
    ("US", "Amérique", "fr", "name", "capitalised", "american"),
    ("US", "Etats-Unis", "fr", "name", "insensitive", ""),
    ("US", "Etats Unis", "fr", "name", "insensitive", ""),
    ("GB", "UK", "en", "code", "exact", ""),
    ("GB", "U.K.", "en", "code", "exact", ""),
    ("GB", "Britain", "en", "name", "capitalised", ""),
    ("GB", "Grande-Bretagne", "fr", "name", "insensitive", ""),
    ("GB", "Angleterre", "fr", "alias", "capitalised", ""),
    ("GB", "England", "en", "alias", "capitalised", ""),
    ("AE", "UAE", "en", "code", "exact", ""),
    ("AE", "EAU", "fr", "code", "exact", ""),
    ("KP", "N Korea", "en", "alias", "exact", ""),
    ("KP", "N. Korea", "en", "alias", "exact", ""),
    ("KR", "S Korea", "en", "alias", "exact", ""),
    ("KR", "S. Korea", "en", "alias", "exact", ""),
    ("CD", "DRC", "en", "code", "exact", ""),
    ("CD", "RDC", "fr", "code", "exact", ""),
    ("CD", "RD Congo", "fr", "name", "insensitive", ""),
    ("CD", "Congo", "", "name", "capitalised", "congo_cd"),
    ("CG", "Congo", "", "name", "capitalised", "congo_cg"),
    ("CG", "Congo-Brazzaville", "", "name", "insensitive", ""),
    ("CD", "Congo-Kinshasa", "", "name", "insensitive", ""),
    ("KR", "Korea", "en", "name", "capitalised", "korea_kr"),
    ("KP", "Korea", "en", "name", "capitalised", "korea_kp"),
    ("KR", "Corée", "fr", "name", "capitalised", "korea_kr"),
    ("KP", "Corée", "fr", "name", "capitalised", "korea_kp"),
    ("KR", "Korean", "en", "demonym", "capitalised", "korea_kr"),
    ("KP", "Korean", "en", "demonym", "capitalised", "korea_kp"),
    ("KR", "coréen", "fr", "demonym", "insensitive", "korea_kr"),
    ("KP", "coréen", "fr", "demonym", "insensitive", "korea_kp"),
    ("KR", "coréens", "fr", "demonym", "insensitive", "korea_kr"),
    ("KP", "coréens", "fr", "demonym", "insensitive", "korea_kp"),
    ("KP", "DPRK", "en", "code", "exact", ""),
    ("KP", "RPDC", "fr", "code", "exact", ""),
    ("KR", "ROK", "en", "code", "exact", ""),
    ("CN", "PRC", "en", "code", "exact", ""),
    ("CN", "RPC", "fr", "code", "exact", ""),
    ("CN", "mainland China", "en", "alias", "insensitive", ""),
    ("CN", "Chine continentale", "fr", "alias", "insensitive", ""),
    ("TR", "Turkey", "en", "name", "capitalised", "turkey"),
    ("TR", "Türkiye", "", "name", "capitalised", ""),
    ("BF", "Burkina", "", "name", "capitalised", ""),
    ("CF", "Centrafrique", "fr", "name", "capitalised", ""),
    ("CF", "CAR", "en", "code", "exact", "car_country"),
    ("GB", "Northern Ireland", "en", "alias", "capitalised", ""),
    ("GB", "Irlande du Nord", "fr", "alias", "insensitive", ""),
    ("GB", "Scotland", "en", "alias", "capitalised", ""),
    ("GB", "nord-irlandais", "fr", "demonym", "insensitive", ""),
    ("GB", "nord-irlandaise", "fr", "demonym", "insensitive", ""),
    ("GB", "nord-irlandaises", "fr", "demonym", "insensitive", ""),
    ("GB", "Northern Irish", "en", "demonym", "capitalised", ""),
    ("GB", "Ecosse", "fr", "alias", "capitalised", ""),
    ("GB", "Wales", "en", "alias", "capitalised", ""),
    ("GB", "pays de Galles", "fr", "alias", "insensitive", ""),
    ("TR", "Turkiye", "", "name", "capitalised", ""),
    ("RU", "Fédération de Russie", "fr", "official_name", "insensitive", ""),
    ("VA", "Holy See", "en", "seat_of_power", "capitalised", ""),
    ("VA", "Saint-Siège", "fr", "seat_of_power", "capitalised", ""),
    ("VA", "Vatican", "", "seat_of_power", "capitalised", ""),
    ("PS", "Palestinian territories", "en", "name", "insensitive", ""),
    ("PS", "Territoires palestiniens", "fr", "name", "insensitive", ""),
    ("PS", "Gaza", "", "alias", "capitalised", ""),
    ("PS", "Gaza Strip", "en", "alias", "capitalised", ""),
    ("PS", "bande de Gaza", "fr", "alias", "insensitive", ""),
    ("PS", "West Bank", "en", "alias", "capitalised", ""),
    ("PS", "Cisjordanie", "fr", "alias", "capitalised", ""),
    ("PS", "gazaoui", "fr", "demonym", "insensitive", ""),
    ("PS", "gazaouis", "fr", "demonym", "insensitive", ""),
    ("PS", "Gazan", "en", "demonym", "capitalised", ""),
    ("PS", "Gazans", "en", "demonym", "capitalised", ""),
    ("TW", "Formose", "fr", "alias", "capitalised", ""),
    ("TW", "Formosa", "en", "alias", "capitalised", ""),
    ("XK", "Kosovar", "", "demonym", "capitalised", ""),
    ("XK", "kosovar", "fr", "demonym", "insensitive", ""),
    ("XK", "kosovars", "fr", "demonym", "insensitive", ""),
    ("EH", "Sahara occidental", "fr", "name", "insensitive", ""),
    ("EH", "Western Sahara", "en", "name", "capitalised", ""),
    ("EH", "sahraoui", "fr", "demonym", "insensitive", ""),
    ("EH", "Sahrawi", "en", "demonym", "capitalised", ""),
    ("IR", "Persia", "en", "alias", "capitalised", ""),
    ("MM", "Birmanie", "fr", "name", "insensitive", ""),
    ("MM", "Burma", "en", "name", "capitalised", ""),
    ("NL", "Hollande", "fr", "alias", "capitalised", ""),
    ("CZ", "Czech Republic", "en", "name", "capitalised", ""),
    ("CZ", "République tchèque", "fr", "name", "insensitive", ""),
    ("SS", "Soudan du Sud", "fr", "name", "insensitive", ""),
    ("SS", "sud-soudanais", "fr", "demonym", "insensitive", ""),
    ("SS", "sud-soudanaise", "fr", "demonym", "insensitive", ""),
    ("SS", "South Sudanese", "en", "demonym", "capitalised", ""),
    ("CI", "ivoirien", "fr", "demonym", "insensitive", ""),
    ("CI", "ivoirienne", "fr", "demonym", "insensitive", ""),
    ("CI", "ivoiriens", "fr", "demonym", "insensitive", ""),
    ("CI", "Ivorian", "en", "demonym", "capitalised", ""),
    ("BY", "Biélorussie", "fr", "name", "insensitive", ""),
    ("BY", "Belarus", "", "name", "capitalised", ""),
    ("BY", "biélorusse", "fr", "demonym", "insensitive", ""),
    ("BY", "biélorusses", "fr", "demonym", "insensitive", ""),
    ("BY", "Belarusian", "en", "demonym", "capitalised", ""),
    ("BY", "Belarussian", "en", "demonym", "capitalised", ""),
    ("MD", "moldave", "fr", "demonym", "insensitive", ""),
    ("MD", "moldaves", "fr", "demonym", "insensitive", ""),
    ("UA", "Ukrainian", "en", "demonym", "capitalised", ""),
    ("SA", "Arabie", "fr", "alias", "capitalised", ""),
    ("SA", "Saudi", "en", "demonym", "capitalised", ""),
    ("SA", "Saudis", "en", "demonym", "capitalised", ""),
    ("SA", "saoudien", "fr", "demonym", "insensitive", ""),
    ("SA", "saoudienne", "fr", "demonym", "insensitive", ""),
    ("SA", "saoudiens", "fr", "demonym", "insensitive", ""),
    ("SA", "saoudiennes", "fr", "demonym", "insensitive", ""),
    ("GB", "Royaume-Uni", "fr", "name", "insensitive", ""),
    ("IL", "Etat hébreu", "fr", "alias", "insensitive", ""),
    ("IL", "État hébreu", "fr", "alias", "insensitive", ""),
    ("IL", "Jewish state", "en", "alias", "insensitive", ""),
    ("KP", "North Korean", "en", "demonym", "capitalised", ""),
    ("KR", "South Korean", "en", "demonym", "capitalised", ""),
    ("US", "Americans", "en", "demonym", "capitalised", ""),
    ("US", "américano-", "fr", "demonym", "insensitive", ""),
]
# Demonyms in the sources that collide with common words or other senses.
DEMONYM_RULES: dict[str, dict[str, str]] = {
    "GE": {"Georgian": "georgian", "Georgians": "georgian"},
    "US": {"American": "american", "américain": "american", "Américain": "american", "américaine": "american",
           "Américaine": "american", "américains": "american", "Américains": "american",
           "américaines": "american", "Américaines": "american"},
}
DEMONYM_DROP = {
    "Indian", "Indians", "Pole", "Poles", "Dominican", "Dominicans", "Congolese", "Congolais", "congolais",
    "Congolaise", "congolaise", "Congolaises", "congolaises", "Korean", "Koreans", "Coréen", "coréen",
    "Man", "Manx", "Guinean", "Guineans", "Niuean", "Finn", "Finns", "Swede", "Swedes", "Dane", "Danes",
    "Turk", "Brit", "Brits", "Lao", "Malagasy", "Comoran", "Chadian", "Chadians", "English",
}
DEMONYM_INDIAN_RULE = ("IN", ["Indian", "Indians"], "capital_common")
# Capitals (EN from the country file) that are words, first names or other places.
CAPITAL_SKIP = {
    "Male", "Victoria", "Sofia", "Douglas", "Kingston", "Hamilton", "Stanley", "Santiago", "Georgetown",
    "Jamestown", "Saint Helier", "St. Peter Port", "Road Town", "Avarua", "Alofi", "Adamstown", "Mata-Utu",
    "Flying Fish Cove", "Nassau", "Castries", "Roseau", "Basseterre", "Praia", "Palikir",
    "Funafuti", "Yaren", "Tarawa", "Majuro", "Apia", "Honiara", "Port Vila", "Nuku'alofa", "Vaduz",
    "Monaco", "Luxembourg", "Singapore", "San Marino", "Vatican City", "Andorra la Vella", "Kuwait City",
    "Djibouti", "Guatemala City", "Panama City", "Mexico City", "Brasília", "La Paz", "Sucre", "Lima",
    "Washington D.C.", "Moscow", "London", "Paris", "Berlin", "Brussels", "Jerusalem", "Washington",
    "King Edward Point", "Plymouth", "Willemstad", "The Valley", "Philipsburg", "Marigot", "Gustavia",
    "Charlotte Amalie", "Hagåtha", "Saipan", "Pago Pago", "West Island", "Tórshavn",
    "Nuuk", "Longyearbyen", "Mariehamn", "Diego Garcia", "Port-aux-Français", "Papeetē", "Nouméa",
    "Saint-Pierre", "Saint-Denis", "Mamoudzou", "Cayenne", "Fort-de-France", "Basse-Terre", "El Aaiún",
    "Ramallah", "Pristina", "Taipei", "Bern", "Amsterdam", "Canberra", "Wellington", "Ottawa",
    "Abu Dhabi", "Cairo", "Beijing",
}
# French exonyms of capitals not in the capitals file (the file's own rows are read too).
CAPITALS_FR = {
    "GB": ["Londres"], "RU": ["Moscou"], "PL": ["Varsovie"], "AT": [], "CH": ["Berne"], "BE": [],
    "DK": ["Copenhague"], "GR": ["Athènes"], "PT": ["Lisbonne"], "IT": ["Rome"], "ES": ["Madrid"],
    "DZ": ["Alger"], "TN": ["Tunis"], "MA": ["Rabat"], "LY": ["Tripoli"], "AM": ["Erevan"],
    "AZ": ["Bakou"], "GE": ["Tbilissi"], "LT": ["Vilnius"], "LV": ["Riga"], "EE": ["Tallinn"],
    "FI": ["Helsinki"], "SE": ["Stockholm"], "NO": ["Oslo"], "IE": ["Dublin"], "CZ": ["Prague"],
    "SK": ["Bratislava"], "RO": ["Bucarest"], "BG": [], "RS": ["Belgrade"], "HR": ["Zagreb"],
    "SI": ["Ljubljana"], "BA": ["Sarajevo"], "ME": ["Podgorica"], "AL": ["Tirana"], "MK": ["Skopje"],
    "XK": ["Pristina", "Priština"], "MD": ["Chisinau", "Kichinev"], "CY": ["Nicosie"], "NZ": ["Wellington"],
    "AU": ["Canberra"], "CA": ["Ottawa"], "CO": ["Bogota"], "EC": ["Quito"], "BR": ["Brasilia"],
    "AR": ["Buenos Aires"], "UY": ["Montevideo"], "TH": ["Bangkok"], "KH": ["Phnom Penh"],
    "ID": ["Jakarta"], "MY": ["Kuala Lumpur"], "BD": ["Dacca", "Dhaka"], "NP": ["Katmandou"],
    "LK": ["Colombo"], "UZ": ["Tachkent"], "KZ": ["Astana"], "KG": ["Bichkek"], "TJ": ["Douchanbé"],
    "TM": ["Achgabat"], "MN": ["Oulan-Bator"], "OM": ["Mascate"], "BH": ["Manama"], "JO": ["Amman"],
    "SN": ["Dakar"], "GN": ["Conakry"], "SL": ["Freetown"], "LR": ["Monrovia"], "GH": ["Accra"],
    "TG": ["Lomé"], "SS": ["Djouba", "Juba"], "ER": ["Asmara"], "SO": ["Mogadiscio", "Mogadishu"],
    "KE": ["Nairobi"], "UG": ["Kampala"], "RW": ["Kigali"], "BI": ["Gitega"], "TZ": ["Dodoma"],
    "CD": ["Kinshasa"], "CG": ["Brazzaville"], "GA": ["Libreville"], "CM": ["Yaoundé"],
    "CF": ["Bangui"], "AO": ["Luanda"], "ZM": ["Lusaka"], "ZW": ["Harare"], "MZ": ["Maputo"],
    "ZA": ["Pretoria"], "NA": ["Windhoek"], "BW": ["Gaborone"], "MG": ["Antananarivo"],
    "MR": ["Nouakchott"], "MM": ["Naypyidaw", "Naypyitaw"], "LA": ["Vientiane"], "AT_": [],
    "KW": [], "EG": ["Le Caire"], "AT2": [], "TW": ["Taipei", "Taïpei"], "IL": ["Jérusalem"],
}
SEATS_EXTRA = [
    # iso2 or org id, text, lang, kind
    ("RU", "Kremlin", "", "seat_of_power"),
    ("US", "Maison Blanche", "fr", "seat_of_power"),
    ("IL", "Knesset", "", "seat_of_power"),
    ("DE", "Bundestag", "", "seat_of_power"),
    ("DE", "Chancellerie allemande", "fr", "seat_of_power"),
    ("FR", "Elysée", "fr", "seat_of_power"),
    ("FR", "Elysee Palace", "en", "seat_of_power"),
    ("GB", "Number 10", "en", "seat_of_power"),
    ("UA", "Bankova", "", "seat_of_power"),
    ("KR", "Blue House", "en", "seat_of_power"),
    ("IN", "Delhi", "", "capital"),
    ("UA", "Kiev", "", "capital"),
    ("UA", "Kyiv", "", "capital"),
    ("UA", "Kyïv", "fr", "capital"),
    ("UA", "Kiew", "de", "capital"),
    ("CN", "Pekin", "fr", "capital"),
    ("TD", "Ndjamena", "", "capital"),
    ("TD", "N'Djaména", "fr", "capital"),
    ("AF", "Kaboul", "fr", "capital"),
    ("VN", "Hanoï", "fr", "capital"),
    ("AE", "Abou Dabi", "fr", "capital"),
]

# --- organisations ------------------------------------------------------------------------

def _a(text: str, lang: str = "", kind: str = "alias", case: str = "capitalised", rule: str = "") -> Record:
    return {"text": text, "lang": lang, "kind": kind, "case": case, "rule": rule}


ORGANISATIONS: list[tuple[str, str, str, str, list[Record]]] = [
    # name_en, name_fr, country_iso2, slug override, aliases
    ("NATO", "OTAN", "", "nato", [
        _a("NATO", "en", "code", "exact"), _a("OTAN", "fr", "code", "exact"), _a("Nato", "en", "code", "exact"),
        _a("Otan", "fr", "code", "exact"), _a("North Atlantic Treaty Organization", "en", "official_name"),
        _a("North Atlantic Treaty Organisation", "en", "official_name"),
        _a("Organisation du traité de l'Atlantique nord", "fr", "official_name", "insensitive"),
        _a("Alliance atlantique", "fr", "name", "insensitive"), _a("Atlantic Alliance", "en", "name"),
        _a("transatlantic alliance", "en", "alias", "insensitive")]),
    ("European Union", "Union européenne", "", "eu", [
        _a("EU", "en", "code", "exact"), _a("UE", "fr", "code", "exact"), _a("E.U.", "en", "code", "exact"),
        _a("European Union", "en", "name"), _a("Union européenne", "fr", "name", "insensitive"),
        _a("Commission européenne", "fr", "alias", "insensitive"), _a("European Commission", "en", "alias"),
        _a("Conseil européen", "fr", "alias", "insensitive"), _a("European Council", "en", "alias"),
        _a("Parlement européen", "fr", "alias", "insensitive"), _a("European Parliament", "en", "alias"),
        _a("Brussels", "en", "seat_of_power", rule="brussels_eu"), _a("Bruxelles", "fr", "seat_of_power", rule="brussels_eu"),
        _a("Vingt-Sept", "fr", "alias"), _a("Twenty-Seven", "en", "alias"), _a("les 27", "fr", "alias", "insensitive")]),
    ("United Nations", "Organisation des Nations unies", "", "un", [
        _a("UN", "en", "code", "exact"), _a("U.N.", "en", "code", "exact"), _a("ONU", "fr", "code", "exact"),
        _a("United Nations", "en", "name"), _a("Nations unies", "fr", "name", "insensitive"),
        _a("Organisation des Nations unies", "fr", "official_name", "insensitive"),
        _a("UN Security Council", "en", "alias"), _a("Security Council", "en", "alias"),
        _a("Conseil de sécurité", "fr", "alias", "insensitive"), _a("UNSC", "en", "code", "exact"),
        _a("UN General Assembly", "en", "alias"), _a("Assemblée générale des Nations unies", "fr", "alias", "insensitive")]),
    ("International Atomic Energy Agency", "Agence internationale de l'énergie atomique", "", "iaea", [
        _a("IAEA", "en", "code", "exact"), _a("AIEA", "fr", "code", "exact"),
        _a("International Atomic Energy Agency", "en", "name"),
        _a("Agence internationale de l'énergie atomique", "fr", "name", "insensitive")]),
    ("G7", "G7", "", "g7", [_a("G7", "", "code", "exact"), _a("G-7", "", "code", "exact"), _a("Group of Seven", "en", "name")]),
    ("G20", "G20", "", "g20", [_a("G20", "", "code", "exact"), _a("G-20", "", "code", "exact"), _a("Group of 20", "en", "name")]),
    ("BRICS", "BRICS", "", "brics", [_a("BRICS", "", "code", "exact"), _a("Brics", "", "code", "exact")]),
    ("OPEC", "OPEP", "", "opec", [
        _a("OPEC", "en", "code", "exact"), _a("OPEP", "fr", "code", "exact"), _a("Opep", "fr", "code", "exact"),
        _a("OPEC+", "en", "code", "exact"), _a("Organization of the Petroleum Exporting Countries", "en", "official_name"),
        _a("Organisation des pays exportateurs de pétrole", "fr", "official_name", "insensitive")]),
    ("World Health Organization", "Organisation mondiale de la santé", "", "who", [
        _a("WHO", "en", "code", "exact"), _a("OMS", "fr", "code", "exact"), _a("World Health Organization", "en", "name"),
        _a("World Health Organisation", "en", "name"), _a("Organisation mondiale de la santé", "fr", "name", "insensitive")]),
    ("International Criminal Court", "Cour pénale internationale", "", "icc", [
        _a("ICC", "en", "code", "exact", "icc"), _a("CPI", "fr", "code", "exact"), _a("International Criminal Court", "en", "name"),
        _a("Cour pénale internationale", "fr", "name", "insensitive"), _a("Rome Statute", "en", "alias"),
        _a("statut de Rome", "fr", "alias", "insensitive")]),
    ("International Court of Justice", "Cour internationale de justice", "", "icj", [
        _a("ICJ", "en", "code", "exact"), _a("CIJ", "fr", "code", "exact"), _a("International Court of Justice", "en", "name"),
        _a("Cour internationale de justice", "fr", "name", "insensitive"), _a("World Court", "en", "alias")]),
    ("African Union", "Union africaine", "", "african-union", [
        _a("African Union", "en", "name"), _a("Union africaine", "fr", "name", "insensitive")]),
    ("ASEAN", "ASEAN", "", "asean", [
        _a("ASEAN", "", "code", "exact"), _a("Asean", "", "code", "exact"), _a("ANASE", "fr", "code", "exact"),
        _a("Association of Southeast Asian Nations", "en", "official_name"),
        _a("Association des nations de l'Asie du Sud-Est", "fr", "official_name", "insensitive")]),
    ("OSCE", "OSCE", "", "osce", [
        _a("OSCE", "", "code", "exact"), _a("Organization for Security and Co-operation in Europe", "en", "official_name"),
        _a("Organisation pour la sécurité et la coopération en Europe", "fr", "official_name", "insensitive")]),
    ("International Monetary Fund", "Fonds monétaire international", "", "imf", [
        _a("IMF", "en", "code", "exact"), _a("FMI", "fr", "code", "exact"), _a("International Monetary Fund", "en", "name"),
        _a("Fonds monétaire international", "fr", "name", "insensitive")]),
    ("World Bank", "Banque mondiale", "", "world-bank", [_a("World Bank", "en", "name"), _a("Banque mondiale", "fr", "name", "insensitive")]),
    ("World Trade Organization", "Organisation mondiale du commerce", "", "wto", [
        _a("WTO", "en", "code", "exact"), _a("OMC", "fr", "code", "exact"), _a("World Trade Organization", "en", "name"),
        _a("Organisation mondiale du commerce", "fr", "name", "insensitive")]),
    ("ECOWAS", "CEDEAO", "", "ecowas", [
        _a("ECOWAS", "en", "code", "exact"), _a("CEDEAO", "fr", "code", "exact"), _a("Cédéao", "fr", "code", "exact"),
        _a("Economic Community of West African States", "en", "official_name"),
        _a("Communauté économique des Etats de l'Afrique de l'Ouest", "fr", "official_name", "insensitive")]),
    ("Shanghai Cooperation Organisation", "Organisation de coopération de Shanghai", "", "sco", [
        _a("SCO", "en", "code", "exact"), _a("OCS", "fr", "code", "exact"), _a("Shanghai Cooperation Organisation", "en", "name"),
        _a("Shanghai Cooperation Organization", "en", "name"),
        _a("Organisation de coopération de Shanghai", "fr", "name", "insensitive")]),
    ("Arab League", "Ligue arabe", "", "arab-league", [_a("Arab League", "en", "name"), _a("Ligue arabe", "fr", "name", "insensitive")]),
    ("Gulf Cooperation Council", "Conseil de coopération du Golfe", "", "gcc", [
        _a("GCC", "en", "code", "exact"), _a("CCG", "fr", "code", "exact"), _a("Gulf Cooperation Council", "en", "name"),
        _a("Conseil de coopération du Golfe", "fr", "name", "insensitive")]),
    ("Alliance of Sahel States", "Alliance des Etats du Sahel", "", "aes", [
        _a("Alliance of Sahel States", "en", "name"), _a("Alliance des Etats du Sahel", "fr", "name", "insensitive")]),
    ("Interpol", "Interpol", "", "interpol", [_a("Interpol", "", "name"), _a("INTERPOL", "", "name", "exact")]),
    ("International Committee of the Red Cross", "Comité international de la Croix-Rouge", "", "icrc", [
        _a("ICRC", "en", "code", "exact"), _a("CICR", "fr", "code", "exact"), _a("Red Cross", "en", "alias"),
        _a("Croix-Rouge", "fr", "alias")]),
    # Armed groups and movements are organisations (decision recorded in docs/design/extraction.md).
    ("Hamas", "Hamas", "PS", "hamas", [_a("Hamas", "", "name"), _a("HAMAS", "", "name", "exact")]),
    ("Hezbollah", "Hezbollah", "LB", "hezbollah", [_a("Hezbollah", "", "name"), _a("Hizbollah", "", "name"), _a("Hizballah", "", "name")]),
    ("Houthis", "Houthis", "YE", "houthis", [
        _a("Houthis", "", "name"), _a("Houthi", "", "name"), _a("Ansar Allah", "", "official_name"),
        _a("houthistes", "fr", "name", "insensitive"), _a("rebelles houthistes", "fr", "alias", "insensitive")]),
    ("Islamic State", "Etat islamique", "", "islamic-state", [
        _a("Islamic State", "en", "name"), _a("ISIS", "en", "code", "exact"), _a("ISIL", "en", "code", "exact"),
        _a("Daech", "fr", "name"), _a("Daesh", "en", "name"), _a("Etat islamique", "fr", "name", "insensitive"),
        _a("EI", "fr", "code", "exact", "company_context")]),
    ("Al-Qaeda", "Al-Qaida", "", "al-qaeda", [
        _a("al-Qaeda", "en", "name", "insensitive"), _a("al-Qaida", "", "name", "insensitive"),
        _a("Al Qaeda", "en", "name", "insensitive"), _a("AQMI", "fr", "code", "exact"), _a("AQIM", "en", "code", "exact")]),
    ("Taliban", "talibans", "AF", "taliban", [_a("Taliban", "", "name"), _a("talibans", "fr", "name", "insensitive")]),
    ("Hayat Tahrir al-Sham", "Hayat Tahrir al-Cham", "SY", "hts", [
        _a("Hayat Tahrir al-Sham", "en", "name", "insensitive"), _a("Hayat Tahrir al-Cham", "fr", "name", "insensitive"),
        _a("HTS", "", "code", "exact"), _a("HTC", "fr", "code", "exact")]),
    ("PKK", "PKK", "TR", "pkk", [_a("PKK", "", "code", "exact"), _a("Kurdistan Workers' Party", "en", "official_name"),
                                 _a("Parti des travailleurs du Kurdistan", "fr", "official_name", "insensitive")]),
    ("M23", "M23", "CD", "m23", [_a("M23", "", "code", "exact")]),
    ("Al-Shabaab", "Chabab", "SO", "al-shabaab", [
        _a("al-Shabaab", "en", "name", "insensitive"), _a("al-Shabab", "", "name", "insensitive"),
        _a("shebab", "fr", "name", "insensitive"), _a("chabab", "fr", "name", "insensitive")]),
    ("Boko Haram", "Boko Haram", "NG", "boko-haram", [_a("Boko Haram", "", "name")]),
    ("JNIM", "JNIM", "ML", "jnim", [_a("JNIM", "", "code", "exact"),
                                    _a("Groupe de soutien à l'islam et aux musulmans", "fr", "official_name", "insensitive")]),
    ("Islamic Revolutionary Guard Corps", "Gardiens de la révolution", "IR", "irgc", [
        _a("IRGC", "en", "code", "exact"), _a("Revolutionary Guards", "en", "name"), _a("Revolutionary Guard", "en", "name"),
        _a("Islamic Revolutionary Guard Corps", "en", "official_name"), _a("Gardiens de la révolution", "fr", "name", "insensitive"),
        _a("pasdaran", "fr", "alias", "insensitive"), _a("pasdarans", "fr", "alias", "insensitive")]),
    ("Rapid Support Forces", "Forces de soutien rapide", "SD", "rsf", [
        _a("Rapid Support Forces", "en", "name"), _a("Forces de soutien rapide", "fr", "name", "insensitive"),
        _a("FSR", "fr", "code", "exact")]),
]

# --- companies beyond the sources: geopolitics and conflict actors ----------------------

EXTRA_COMPANIES: list[tuple[str, str, str, list[Record]]] = [
    # name_en, country, parent name, aliases
    ("Gazprom", "RU", "", [_a("Gazprom", "", "name"), _a("Газпром", "native", "name")]),
    ("Gazprom Neft", "RU", "Gazprom", [_a("Gazprom Neft", "", "name")]),
    ("Rosneft", "RU", "", [_a("Rosneft", "", "name"), _a("Роснефть", "native", "name")]),
    ("Lukoil", "RU", "", [_a("Lukoil", "", "name"), _a("Loukoïl", "fr", "name"), _a("LUKOIL", "", "name", "exact")]),
    ("Novatek", "RU", "", [_a("Novatek", "", "name")]),
    ("Rosatom", "RU", "", [_a("Rosatom", "", "name"), _a("Росатом", "native", "name")]),
    ("Sovcomflot", "RU", "", [_a("Sovcomflot", "", "name")]),
    ("Naftogaz", "UA", "", [_a("Naftogaz", "", "name")]),
    ("Energoatom", "UA", "", [_a("Energoatom", "", "name")]),
    ("Nord Stream", "RU", "Gazprom", [_a("Nord Stream", "", "name"), _a("Nord Stream 2", "", "name")]),
    ("Huawei", "CN", "", [_a("Huawei", "", "name"), _a("华为", "native", "name")]),
    ("ZTE", "CN", "", [_a("ZTE", "", "name", "exact")]),
    ("SMIC", "CN", "", [_a("SMIC", "", "name", "exact"), _a("Semiconductor Manufacturing International", "en", "official_name")]),
    ("TikTok", "CN", "ByteDance", [_a("TikTok", "", "name")]),
    ("ByteDance", "CN", "", [_a("ByteDance", "", "name")]),
    ("CATL", "CN", "", [_a("CATL", "", "name", "exact")]),
    ("BYD", "CN", "", [_a("BYD", "", "name", "exact")]),
    ("CNPC", "CN", "", [_a("CNPC", "", "name", "exact"), _a("China National Petroleum Corporation", "en", "official_name")]),
    ("Sinopec", "CN", "", [_a("Sinopec", "", "name")]),
    ("TSMC", "TW", "", [_a("TSMC", "", "name", "exact"), _a("Taiwan Semiconductor Manufacturing", "en", "official_name")]),
    ("Foxconn", "TW", "", [_a("Foxconn", "", "name")]),
    ("Nvidia", "US", "", [_a("Nvidia", "", "name"), _a("NVIDIA", "", "name", "exact")]),
    ("Intel", "US", "", [_a("Intel", "", "name", "capitalised", "company_context")]),
    ("ASML", "NL", "", [_a("ASML", "", "name", "exact")]),
    ("Samsung", "KR", "", [_a("Samsung", "", "name"), _a("Samsung Electronics", "", "name")]),
    ("SpaceX", "US", "", [_a("SpaceX", "", "name")]),
    ("Starlink", "US", "SpaceX", [_a("Starlink", "", "name")]),
    ("Tesla", "US", "", [_a("Tesla", "", "name", "capitalised", "company_context")]),
    ("Saudi Aramco", "SA", "", [_a("Saudi Aramco", "", "name"), _a("Aramco", "", "name")]),
    ("Wagner Group", "RU", "", [
        _a("Wagner Group", "en", "name"), _a("groupe Wagner", "fr", "name", "insensitive"), _a("Wagner", "", "name", "capitalised", "wagner"),
        _a("PMC Wagner", "en", "name"), _a("Africa Corps", "", "alias")]),
    ("Shahed Aviation Industries", "IR", "", []),
    ("Krauss-Maffei Wegmann", "DE", "KNDS", [
        _a("Krauss-Maffei Wegmann", "", "name"), _a("Krauss Maffei Wegmann", "", "name"), _a("KMW", "", "code", "exact", "company_context"),
        _a("KNDS Deutschland", "", "alias")]),
]

# --- weapon classes ---------------------------------------------------------------------

WEAPON_CLASSES: list[tuple[str, str, list[str], list[str]]] = [
    # slug/name_en, name_fr, en aliases, fr aliases
    ("drone", "drone", ["drone", "drones", "UAV", "UAVs", "UAS", "loitering munition", "loitering munitions",
                        "kamikaze drone", "kamikaze drones", "unmanned aerial vehicle", "unmanned aerial vehicles"],
     ["drone", "drones", "munition rôdeuse", "munitions rôdeuses", "drone kamikaze", "drones kamikazes", "drones kamikaze"]),
    ("ballistic missile", "missile balistique", ["ballistic missile", "ballistic missiles", "ICBM", "ICBMs", "SRBM", "IRBM"],
     ["missile balistique", "missiles balistiques", "missile intercontinental", "missiles intercontinentaux"]),
    ("cruise missile", "missile de croisière", ["cruise missile", "cruise missiles"], ["missile de croisière", "missiles de croisière"]),
    ("hypersonic missile", "missile hypersonique", ["hypersonic missile", "hypersonic missiles", "hypersonic weapon", "hypersonic weapons"],
     ["missile hypersonique", "missiles hypersoniques", "arme hypersonique", "armes hypersoniques"]),
    ("air defence", "défense aérienne", ["air defence", "air defense", "air defences", "air defenses", "anti-aircraft", "surface-to-air missile", "surface-to-air missiles"],
     ["défense aérienne", "défenses aériennes", "défense antiaérienne", "défense anti-aérienne", "défenses antiaériennes", "missile sol-air", "missiles sol-air"]),
    ("tank", "char", ["tank", "tanks", "main battle tank", "main battle tanks"], ["char", "chars", "char d'assaut", "chars d'assaut", "char lourd", "chars lourds"]),
    ("artillery", "artillerie", ["artillery", "howitzer", "howitzers", "rocket launcher", "rocket launchers", "MLRS"],
     ["artillerie", "obusier", "obusiers", "canon d'artillerie", "lance-roquettes", "lance-roquettes multiples"]),
    ("fighter jet", "avion de chasse", ["fighter jet", "fighter jets", "fighter aircraft", "warplane", "warplanes", "fighter-bomber", "fighter-bombers"],
     ["avion de chasse", "avions de chasse", "avion de combat", "avions de combat", "chasseur-bombardier", "chasseurs-bombardiers"]),
    ("warship", "navire de guerre", ["warship", "warships", "frigate", "frigates", "destroyer", "destroyers", "aircraft carrier", "aircraft carriers", "submarine", "submarines"],
     ["navire de guerre", "navires de guerre", "frégate", "frégates", "destroyer", "destroyers", "porte-avions", "sous-marin", "sous-marins", "bâtiment de guerre", "bâtiments de guerre"]),
    ("nuclear weapon", "arme nucléaire", ["nuclear weapon", "nuclear weapons", "nuclear warhead", "nuclear warheads", "atomic bomb", "nuclear arsenal", "nukes"],
     ["arme nucléaire", "armes nucléaires", "ogive nucléaire", "ogives nucléaires", "bombe atomique", "arsenal nucléaire", "dissuasion nucléaire"]),
    ("armoured vehicle", "véhicule blindé", ["armoured vehicle", "armored vehicle", "armoured vehicles", "armored vehicles", "infantry fighting vehicle", "infantry fighting vehicles", "armoured personnel carrier"],
     ["véhicule blindé", "véhicules blindés", "blindé", "blindés", "véhicule de combat d'infanterie"]),
    ("helicopter", "hélicoptère de combat", ["attack helicopter", "attack helicopters", "military helicopter", "military helicopters"],
     ["hélicoptère de combat", "hélicoptères de combat", "hélicoptère d'attaque", "hélicoptères d'attaque"]),
    ("anti-tank missile", "missile antichar", ["anti-tank missile", "anti-tank missiles", "ATGM", "ATGMs"], ["missile antichar", "missiles antichars", "missiles antichar"]),
    ("bomber", "bombardier", ["strategic bomber", "strategic bombers", "long-range bomber", "long-range bombers", "nuclear-capable bomber", "nuclear-capable bombers"],
     ["bombardier stratégique", "bombardiers stratégiques", "bombardier à long rayon d'action"]),
    ("guided bomb", "bombe guidée", ["glide bomb", "glide bombs", "guided bomb", "guided bombs"], ["bombe planante", "bombes planantes", "bombe guidée", "bombes guidées"]),
]
UPPER_CLASS_ALIASES = {"UAV", "UAVs", "UAS", "ICBM", "ICBMs", "SRBM", "IRBM", "MLRS", "ATGM", "ATGMs"}


def weapon_class_of(category: str) -> str:
    """A weapon class slug from a free-text category (curated file, Oryx, SIPRI)."""
    c = category.lower()
    table = [
        (("hypersonic", "glide vehicle", "glide missile"), "hypersonic-missile"),
        (("anti-tank", "atgm", "anti-tank weapon"), "anti-tank-missile"),
        (("ballistic", "icbm", "slbm", "srbm", "irbm"), "ballistic-missile"),
        (("cruise", "anti-ship", "air-to-surface", "land-attack", "asm"), "cruise-missile"),
        (("drone", "uav", "ucav", "loitering", "uncrewed", "unmanned"), "drone"),
        (("sam", "air-defence", "air defence", "air defense", "anti-aircraft", "manpads", "surface-to-air", "shorad", "interceptor", "anti-ballistic", "air-to-air", "anti-radiation"), "air-defence"),
        (("tank",), "tank"),
        (("howitzer", "artillery", "rocket launcher", "mrl", "self-propelled gun", "mortar", "guided rocket", "multiple rocket"), "artillery"),
        (("fighter", "attack aircraft", "ground attack", "combat aircraft"), "fighter-jet"),
        (("bomber",), "bomber"),
        (("helicopter",), "helicopter"),
        (("submarine", "carrier", "cruiser", "frigate", "destroyer", "corvette", "ship", "vessel", "patrol craft", "landing"), "warship"),
        (("nuclear",), "nuclear-weapon"),
        (("ifv", "infantry fighting", "apc", "armoured", "armored", "personnel carrier", "reconnaissance vehicle", "tractor", "mrap"), "armoured-vehicle"),
        (("bomb",), "guided-bomb"),
    ]
    for keys, slug in table:
        if any(k in c for k in keys):
            return f"weapon_class:{slug}"
    return ""


def rule_for_weapon_class(weapon_class: str) -> str:
    return {
        "weapon_class:drone": "weapon_drone",
        "weapon_class:fighter-jet": "weapon_air",
        "weapon_class:bomber": "weapon_air",
        "weapon_class:helicopter": "weapon_air",
        "weapon_class:tank": "weapon_land",
        "weapon_class:artillery": "weapon_land",
        "weapon_class:armoured-vehicle": "weapon_land",
        "weapon_class:warship": "weapon_naval",
    }.get(weapon_class, "weapon_missile" if weapon_class else "weapon_any")


# Weapon aliases from the curated file: per-alias decisions (rule name, "drop", or "exact").
WEAPON_ALIAS_OVERRIDES: dict[str, str] = {
    "Patriot": "patriot", "Leopard": "leopard", "Javelin": "javelin", "Caesar": "caesar",
    "CAESAR": "exact", "Rafale": "rafale", "Mistral": "mistral", "Tor": "tor", "Buk": "buk", "Bouk": "buk",
    "Grad": "grad", "Orion": "orion", "Lancet": "lancet", "Neptune": "neptune", "Flamingo": "neptune",
    "Harpy": "drop", "Viper": "drop", "Hercules": "weapon_air", "Warthog": "weapon_air", "Raptor": "weapon_air",
    "Apache": "weapon_air", "Chinook": "weapon_air", "Hammer": "drop", "HARM": "exact", "Meteor": "weapon_missile",
    "Verba": "weapon_missile", "Osa": "weapon_missile", "Neva": "drop", "Pechora": "weapon_missile", "Pion": "weapon_land",
    "Malka": "weapon_land", "Msta": "weapon_land", "Krab": "weapon_land", "Archer": "weapon_land", "Marder": "weapon_land",
    "Terminator": "drop", "BMP": "exact", "BTR": "exact", "BMD": "exact", "Skif": "weapon_missile", "Stugna": "weapon_missile",
    "Igla": "weapon_missile", "Mamba": "weapon_missile", "Aegis": "weapon_naval", "Magic Wand": "drop", "Hetz": "drop",
    "Prometheus": "drop", "Prometey": "weapon_missile", "Triumph": "drop", "Triumf": "weapon_missile", "Vityaz": "weapon_missile",
    "Kub": "drop", "Kvadrat": "weapon_missile", "Uragan": "weapon_land", "Ouragan": "weapon_land", "Smerch": "weapon_land",
    "Ovod": "weapon_missile", "Alligator": "weapon_air", "Skyfall": "weapon_missile", "Kanyon": "weapon_naval",
    "Yakhont": "weapon_missile", "Onyx": "weapon_missile", "Oniks": "weapon_missile", "Zircon": "weapon_missile",
    "Tsirkon": "weapon_missile", "Sarmat": "weapon_missile", "Minuteman": "weapon_missile", "Trident": "weapon_missile",
    "Hawk": "weapon_missile", "Hermes": "drop", "Heron": "weapon_drone", "Eitan": "weapon_drone", "Magura": "weapon_naval",
    "Mirage": "weapon_air", "Leclerc": "weapon_land", "Altay": "weapon_land", "Stryker": "weapon_land",
    "Paladin": "weapon_land", "K2": "weapon_land", "K9": "weapon_land", "Taurus": "weapon_missile",
    "Tomahawk": "weapon_missile", "Harpoon": "weapon_missile", "Molniya": "weapon_drone", "Forpost": "weapon_drone",
    "Poseidon": "drop", "Poséidon": "drop", "Avangard": "weapon_missile", "Fattah": "weapon_missile",
    "Emad": "weapon_missile", "Ghadr": "weapon_missile", "Typhoon": "drop", "Bear": "drop", "Hind": "drop", "Hip": "drop",
    "Candid": "drop", "Backfire": "drop", "Blackjack": "drop", "Felon": "drop", "Mainstay": "drop", "Fulcrum": "drop",
    "Foxhound": "drop", "Flanker": "drop", "Fullback": "drop", "Frogfoot": "drop", "Havoc": "drop", "Hunter drone": "drop",
    "White Swan": "drop", "Dagger missile": "drop", "Status-6": "drop", "Satan 2": "weapon_missile", "Satan II": "weapon_missile",
    "Proryv": "weapon_land", "Armata": "weapon_land", "Black Hawk": "weapon_air", "Blackhawk": "weapon_air",
    "Gepard": "gepard", "Crotale": "weapon_missile", "Exocet": "", "Stinger": "weapon_missile", "Kornet": "weapon_missile",
    "Sidewinder": "weapon_missile", "Starstreak": "weapon_missile", "Piorun": "weapon_missile", "Abrams": "weapon_land",
    "Bradley": "weapon_land", "Challenger 2": "", "Challenger 3": "", "Merkava": "", "Gripen": "", "Eurofighter": "",
    "Okhotnik": "", "Switchblade": "weapon_drone", "Iskander": "", "Kalibr": "", "Kinzhal": "", "Kinjal": "",
    "Mohajer": "weapon_drone", "Akinci": "", "Reaper drone": "", "Predator drone": "", "Tochka": "weapon_missile",
    "Verba ": "drop", "Club-K": "", "Magen Or": "drop", "Kippat Barzel": "", "Hazel tree missile": "drop",
    "Vector": "drop", "Skynex": "", "Sea Baby": "", "Dôme de fer": "", "Fronde de David": "", "Iron Beam": "",
    "Bayraktar": "weapon_drone", "Liutyi": "", "Lyutyi": "", "Lyutyy": "", "Lioutyi": "", "Garpiya": "",
    "Boreï": "weapon_naval", "Borei": "weapon_naval", "Borey": "weapon_naval", "Yasen": "weapon_naval", "Iassen": "weapon_naval",
    "Varshavyanka": "", "Renhai": "weapon_naval", "Inokhodets": "", "Moskva": "weapon_naval", "Tornado-S": "",
    "Solntsepyok": "", "Solntsepek": "", "Gvozdika": "weapon_land", "Akatsiya": "weapon_land", "Bohdana": "weapon_land",
    "Bogdana": "weapon_land", "Tosochka": "", "Supercam": "weapon_drone", "Eleron": "weapon_drone", "Mighty Dragon": "drop",
    "Weilong": "drop", "Vigorous Dragon": "drop", "Boramae": "", "Kizilelma": "", "Kızılelma": "",
    "Pterodactyl drone": "", "SkyGuardian": "", "SeaGuardian": "", "Strike Eagle": "weapon_air", "Super Hornet": "weapon_air",
    "Fighting Falcon": "", "Global Hawk": "", "Joint Strike Fighter": "", "Kochav": "drop", "Hero": "drop",
    "SCALP": "exact", "MLRS": "drop", "Bayraktars": "", "stealth bomber": "drop", "Shahed": "weapon_drone", "Léopard": "leopard", "Fujian carrier": "", "Virginia-class": "", "Totchka": "weapon_missile", "JSF": "exact", "TLAM": "exact", "Krab ": "drop",
    "Stratofortress": "", "Spirit": "drop", "Raider": "drop", "Lightning II": "", "Hellfire": "weapon_missile",
}


def clean_company_name(name: str) -> str:
    """Strip legal forms and quotes: `Lockheed Martin Corp.` -> `Lockheed Martin`."""
    name = re.sub(r"[«»\"“”„'‘’]", "", name)
    name = re.sub(r"\s*\(.*?\)\s*", " ", name)
    forms = r"(?:Corp\.?|Corporation|Inc\.?|Ltd\.?|Limited|Co\.|plc|PLC|AG|SA|S\.A\.|SE|N\.V\.|NV|S\.p\.A\.|SpA|GmbH|AB|ASA|Oyj|a\.s\.|PJSC|JSC|OJSC|OAO|AO|Holdings?|Group)"
    prev = None
    while prev != name:
        prev = name
        name = re.sub(rf"(?:^|\s){forms}$", "", name.strip()).strip(" ,")
        name = re.sub(rf"^{forms}\s+", "", name.strip())
    return name.strip()


# --- helpers ------------------------------------------------------------------------------

def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def split(cell: str) -> list[str]:
    return [p.strip() for p in (cell or "").split("|") if p.strip()]


def has_upper_inside(text: str) -> bool:
    return any(c.isupper() for c in text[1:])


def default_case(text: str, lang: str) -> str:
    """Proper names are matched with their capitals (`capitalised`); acronyms exactly."""
    letters = [c for c in text if c.isalpha()]
    if letters and all(c.isupper() for c in letters) and len(letters) <= 5:
        return "exact"
    if text[:1].islower() and lang == "fr":
        return "insensitive"
    return "capitalised"


class Builder:
    def __init__(self) -> None:
        self.entities: dict[str, Record] = {}

    def entity(self, eid: str, etype: str, name_en: str, **fields: str) -> Record:
        rec = self.entities.get(eid)
        if rec is None:
            rec = {"id": eid, "type": etype, "name_en": name_en, "name_fr": "", "iso2": "", "iso3": "",
                   "country_iso2": "", "parent_id": "", "weapon_class": "", "aliases": []}
            self.entities[eid] = rec
        for k, v in fields.items():
            if v and not rec.get(k):
                rec[k] = v
        return rec

    def alias(self, eid: str, text: str, lang: str = "", kind: str = "alias", case: str = "", rule: str = "") -> None:
        text = " ".join(text.split())
        if len(text) < 2 or eid not in self.entities:
            return
        rec = self.entities[eid]
        case = case or default_case(text, lang)
        for a in rec["aliases"]:
            if a["text"] == text:
                if a["lang"] != lang:
                    a["lang"] = ""  # the same spelling in two languages: valid in any
                return  # first occurrence wins: its kind, case and rule were chosen deliberately
        rec["aliases"].append({"text": text, "lang": lang, "kind": kind, "case": case, "rule": rule})


# --- builders per type --------------------------------------------------------------------

def build_countries(b: Builder, src: Path) -> dict[str, str]:
    """Countries; returns a name -> iso2 map (EN and FR names) for other builders."""
    names: dict[str, str] = {}
    demonyms = {r["iso2"]: r for r in read_csv(src / "demonym_forms_en_fr.csv")}
    for row in read_csv(src / "countries_en_fr_demonyms.csv"):
        iso2 = row["iso2"]
        eid = entity_id("country", iso2)
        b.entity(eid, "country", row["name_en"], name_fr=row["name_fr"], iso2=iso2, iso3=row["iso3"], country_iso2=iso2)
        drop = COUNTRY_DROP.get(iso2, set())
        rules = COUNTRY_NAME_RULES.get(iso2, {})
        # Extra aliases with deliberate policies come first: first occurrence wins.
        for iso, text, lang, kind, case, rule in COUNTRY_EXTRA:
            if iso == iso2:
                b.alias(eid, text, lang, kind, case, rule)
        for col, lang, kind in (
            ("name_en", "en", "name"), ("name_en_cldr", "en", "name"), ("name_en_official", "en", "official_name"),
            ("name_fr", "fr", "name"), ("name_fr_cldr", "fr", "name"), ("name_fr_official", "fr", "official_name"),
        ):
            text = row[col]
            if not text or text in drop or "," in text or "(" in text:
                continue
            b.alias(eid, text, lang, kind, "capitalised", rules.get(text, ""))
            names[text] = iso2
        member = row["un_member"] == "True" or iso2 in NON_MEMBER_STATES
        for alt in split(row["alt_spellings"]):
            if len(alt) < 4 or alt in drop or "," in alt or "(" in alt or not member:
                continue
            if alt.isupper():  # codes such as USA/DPRK are curated above
                continue
            b.alias(eid, alt, "native" if not alt.isascii() else "", "alias", "capitalised", rules.get(alt, ""))
        capital = row["capital_en"]
        if capital and member and capital not in CAPITAL_SKIP:
            b.alias(eid, capital, "en", "capital", "capitalised")
        for fr in CAPITALS_FR.get(iso2, []):
            b.alias(eid, fr, "fr", "capital", "capitalised")
        dem = demonyms.get(iso2)
        if dem and (member or row["independent"] == "True"):
            dem_rules = DEMONYM_RULES.get(iso2, {})
            for form in split(dem["en_forms"]):
                if form in DEMONYM_DROP:
                    continue
                b.alias(eid, form, "en", "demonym", "capitalised", dem_rules.get(form, ""))
            for form in split(dem["fr_forms_all_cases"]):
                if form in DEMONYM_DROP or form[:1].isupper():
                    continue  # the lower-case form, matched case-insensitively, covers the noun too
                b.alias(eid, form, "fr", "demonym", "insensitive", dem_rules.get(form, ""))
    # Indian: Indian Ocean and Native Americans are stop phrases; bare Indian with vetoes.
    iso, forms, rule = DEMONYM_INDIAN_RULE
    for form in forms:
        b.alias(entity_id("country", iso), form, "en", "demonym", "capitalised", rule)
    # Congolese/Korean are ambiguous between two states: the rules pick one.
    for iso, rule in (("CD", "congo_cd"), ("CG", "congo_cg")):
        for form, lang, case in (("Congolese", "en", "capitalised"), ("congolais", "fr", "insensitive"),
                                 ("congolaise", "fr", "insensitive"), ("congolaises", "fr", "insensitive")):
            b.alias(entity_id("country", iso), form, lang, "demonym", case, rule)
    return names


def build_capitals(b: Builder, src: Path) -> None:
    kind_map = {"capital": "capital", "seat_of_power": "seat_of_power", "institution_building": "seat_of_power",
                "metonym_city": "seat_of_power"}
    special_rules = {"Washington": "washington", "Paris": "paris", "London": "capital_common",
                     "Moscow": "capital_common", "Berlin": "capital_common", "Kiev": "capital_common",
                     "Peking": "capital_common", "Warsaw": "capital_common", "Varsovie": "capital_common",
                     "Budapest": "capital_common", "Minsk": "capital_common", "Doha": "capital_common",
                     "Damas": "", "Matignon": "capital_common"}
    for row in read_csv(src / "capitals_metonyms_en_fr.csv"):
        kind = kind_map.get(row["type"], "capital")
        lang = {"both": ""}.get(row["lang"], row["lang"])
        for term in split(row["term"]):
            term = re.sub(r"^(le|la|les|the) ", "", term)
            targets = row["refers_to_iso2"].split("|")
            if term in ("Brussels", "Bruxelles"):
                b.alias(entity_id("country", "BE"), term, lang, "capital", "capitalised", "brussels_be")
                continue  # and a seat of power of the EU (organisations, rule brussels_eu)
            for iso2 in targets:
                if iso2 == "EU":
                    continue
                b.alias(entity_id("country", iso2), term, lang, kind, "capitalised", special_rules.get(term, ""))
    for iso2, text, lang, kind in SEATS_EXTRA:
        b.alias(entity_id("country", iso2), text, lang, kind, "capitalised", special_rules.get(text, ""))


def build_organisations(b: Builder) -> None:
    for name_en, name_fr, iso2, slug, aliases in ORGANISATIONS:
        eid = f"org:{slug}"
        b.entity(eid, "organisation", name_en, name_fr=name_fr, country_iso2=iso2)
        for a in aliases:
            b.alias(eid, a["text"], a["lang"], a["kind"], a["case"], a["rule"])


def build_persons(b: Builder, src: Path) -> None:
    for row in read_csv(src / "persons_key_leaders_en_fr.csv"):
        eid = entity_id("person", row["name_en"])
        b.entity(eid, "person", row["name_en"], name_fr=row["name_fr"], country_iso2=row["country_iso2"])
        b.alias(eid, row["name_en"], "en", "name", "capitalised")
        b.alias(eid, row["name_fr"], "fr", "name", "capitalised")
        for lang, cell in (("en", row["aliases_en"]), ("fr", row["aliases_fr"])):
            for alias in split(cell):
                alias = re.sub(r"^l'", "", alias)
                # A bare surname of two letters (Xi) or a nickname (Bibi, MBS) needs the person in context.
                short = len(alias) <= 3 or alias in ("Bibi", "Kim Jong-un", "Lee Jae-myung")
                b.alias(eid, alias, lang, "alias", "exact" if alias.isupper() else "capitalised",
                        "person_surname" if short and alias not in ("Xi", "MBS") else "")
        for native in split(row["name_native"]):
            b.alias(eid, native, "native", "name", "capitalised")


def sipri_country(name: str, names: dict[str, str]) -> str:
    fixes = {"United States": "US", "UK": "GB", "United Kingdom": "GB", "Russia": "RU", "South Korea": "KR",
             "Trans-European": "", "China": "CN", "Türkiye": "TR", "Turkey": "TR", "Netherlands": "NL"}
    if name in fixes:
        return fixes[name]
    return names.get(name, "")


# SIPRI names of companies that merged into or were renamed as a curated one.
SIPRI_JOIN = {
    "Harris Corp.": "L3Harris Technologies", "L-3 Communications": "L3Harris Technologies",
    "L3 Technologies": "L3Harris Technologies", "United Technologies Corp.": "RTX", "Rockwell Collins": "RTX",
    "Raytheon": "RTX", "Raytheon Technologies": "RTX", "Nexter": "KNDS", "Krauss-Maffei Wegmann": "Krauss-Maffei Wegmann",
}
# Single-word company names that are English words or surnames: only with company words nearby.
STRICT_COMPANY_WORDS = {"Ball", "Cubic", "Eaton", "Mitre", "Moog", "Parsons", "Triumph", "Fluor", "Harris"}


def build_companies(b: Builder, src: Path, names: dict[str, str]) -> dict[str, str]:
    """Companies; returns a lowercase alias -> company id index (to link weapons to makers)."""
    index: dict[str, str] = {}
    curated = read_csv(src / "companies_curated_aliases.csv")
    sipri_rows = read_csv(src / "companies_sipri_top100_2015_2023.csv")
    sipri_to_curated: dict[str, str] = {}
    for row in curated:
        for s in split(row["sipri_top100_name"]):
            sipri_to_curated[s] = row["canonical_name"]
    sipri_to_curated.update(SIPRI_JOIN)

    high_rules = {"Leonardo": "leonardo", "Rafael": "rafael", "Safran": "safran", "Thales": "thales",
                  "Kupol": "kupol", "Koupol": "kupol", "Alabuga": "alabuga", "Alabouga": "alabuga",
                  "Купол": "kupol", "TSK Vektor": "", "Vektor": "vektor", "Kalashnikov": "company_context",
                  "Kalachnikov": "company_context", "Калашников": "company_context", "IEMZ": "kupol",
                  "Saab": "company_context", "Patria": "company_context", "Diehl": "company_context",
                  "Dassault": "company_context", "Boeing": "", "Airbus": "", "Babcock": "company_context",
                  "Kongsberg": "company_context", "Oshkosh": "company_context", "Palantir": "",
                  "Helsing": "company_context", "Textron": "", "Antonov": "company_context", "Sukhoi": "company_context",
                  "Soukhoï": "company_context", "Tupolev": "company_context", "Toupolev": "company_context",
                  "Ilyushin": "company_context", "Iliouchine": "company_context", "MiG": "company_context",
                  "Mikoyan": "company_context", "Beriev": "company_context", "Novator": "company_context",
                  "Vympel": "company_context", "Raduga": "company_context", "Splav": "company_context",
                  "Motovilikha": "company_context", "Reutov": "drop", "STM": "company_context",
                  "TAI": "company_context", "MKE": "company_context", "HAL": "company_context", "BEL": "drop",
                  "EDGE": "drop", "GD": "drop", "AV": "drop", "AEE": "drop", "KMZ": "company_context",
                  "UAC": "company_context", "USC": "company_context", "OAK": "company_context", "OSK": "company_context",
                  "ROE": "drop", "STC": "company_context", "SAC": "drop", "CAC": "drop", "KBM": "company_context",
                  "KBP": "company_context", "UEC": "company_context", "ODK": "company_context", "DIO": "company_context",
                  "AIO": "company_context", "UDI": "drop", "CSG": "company_context", "KAI": "company_context",
                  "MHI": "company_context", "QAI": "company_context", "BDL": "company_context", "IAI": "company_context",
                  "Izhmash": "", "Shvabe": "", "Schwabe": "company_context", "Luch": "company_context",
                  "ZALA": "", "Zala Aero": "", "Orlan": "drop", "Kronstadt": "company_context",
                  "Kronshtadt": "company_context", "Kronchtadt": "company_context", "Nexter": "", "KMW": "drop",
                  "Krauss-Maffei Wegmann": "drop", "KNDS Deutschland": "drop",
                  "Hanwha Aerospace": "", "Elbit": "", "Fire Point": "company_context", "Embraer": "",
                  "ministère de la Défense iranien": "drop", "Quantum Systems": "company_context", "John Cockerill": "company_context",
                  "Baykar": "", "Rostec": "", "Mitsubishi Heavy": "", "Rolls-Royce": "company_context", "Arquus": "",
                  "HESA": "company_context", "DCNS": "", "Anduril": "", "GA-ASI": "", "RTX": "company_context",
                  "Raytheon": "", "L3 Harris": "", "HII": "company_context", "GDLS": "", "Electric Boat": "",
                  "Pratt & Whitney": "", "Aerojet Rocketdyne": ""}

    def add_company(name: str, iso2: str, parent: str, aliases: list[tuple[str, str, str]]) -> str:
        eid = entity_id("company", name)
        b.entity(eid, "company", name, country_iso2=iso2 if len(iso2) == 2 and iso2 != "EU" else "", parent_id=parent)
        name_rule = high_rules.get(name, "")
        b.alias(eid, name, "en", "name", "", "" if name_rule == "drop" else name_rule)
        for text, lang, kind in aliases:
            rule = high_rules.get(text, "")
            if rule == "drop":
                continue
            b.alias(eid, text, lang, kind, "", rule)
        return eid

    for row in curated:
        name = row["canonical_name"]
        if name in ("MODAFL",):
            continue
        iso2 = row["country_iso2"].split("/")[0]
        aliases: list[tuple[str, str, str]] = []
        for lang, col in (("en", "aliases_en"), ("fr", "aliases_fr"), ("native", "aliases_native")):
            for text in split(row[col]):
                aliases.append((text, lang, "alias"))
                cleaned = clean_company_name(text)
                if cleaned and cleaned != text and len(cleaned) >= 4 and (" " in cleaned or cleaned.isupper()):
                    aliases.append((cleaned, lang, "alias"))  # not "Naval" from "Naval Group"
        if name == "TSK Vektor":  # bare Vektor only when TSK Vektor is named in the article
            aliases.append(("Vektor", "", "alias"))
        if name == "IEMZ Kupol":  # French press spellings and "the Kupol plant"
            aliases += [("IEMZ Koupol", "fr", "alias"), ("Kupol plant", "en", "alias"),
                        ("usine Koupol", "fr", "alias"), ("usine Kupol", "fr", "alias")]
        add_company(name, iso2, "", aliases)
    # Parents, once every curated company exists.
    for row in curated:
        parent_name = row["parent"].split("/")[0].split("(")[0].strip()
        pid = entity_id("company", parent_name)
        eid = entity_id("company", row["canonical_name"])
        if parent_name and pid in b.entities and eid in b.entities:
            b.entities[eid]["parent_id"] = pid

    seen_sipri: set[str] = set()
    for row in sorted(sipri_rows, key=lambda r: (-int(r["year"]), int(r["rank"] or 999))):
        raw = row["company"]
        if raw in seen_sipri:
            continue
        seen_sipri.add(raw)
        if raw in sipri_to_curated:
            eid = entity_id("company", sipri_to_curated[raw])
            cleaned = clean_company_name(raw)
            b.alias(eid, raw, "en", "official_name", "capitalised")
            if cleaned and len(cleaned) >= 3 and (" " in cleaned or cleaned.isupper() or cleaned in high_rules
                                                  or cleaned == sipri_to_curated[raw]):
                b.alias(eid, cleaned, "en", "name", "", high_rules.get(cleaned, ""))
            continue
        cleaned = clean_company_name(raw)
        if not cleaned or len(cleaned) < 3:
            continue
        known = next((eid for eid, rec in b.entities.items() if rec["type"] == "company"
                      and {cleaned.lower(), raw.lower()} & {a["text"].lower() for a in rec["aliases"]}), "")
        if known:  # "Raytheon" (older SIPRI years) is RTX
            b.alias(known, raw, "en", "official_name", "capitalised")
            continue
        iso2 = sipri_country(row["country"], names)
        single_word = " " not in cleaned and not cleaned.isupper() and not any(c.isdigit() for c in cleaned)
        if single_word:
            high_rules.setdefault(cleaned, "company_strict" if cleaned in STRICT_COMPANY_WORDS else "company_context")
        eid = add_company(cleaned, iso2, "", [(raw, "en", "official_name")])
        if cleaned.isupper() and len(cleaned) <= 4:
            # A bare acronym from SIPRI (e.g. "CSGC"): keep it exact.
            for a in b.entities[eid]["aliases"]:
                a["case"] = "exact"

    for name, iso2, parent, aliases in EXTRA_COMPANIES:
        eid = entity_id("company", name)
        pid = entity_id("company", parent) if parent else ""
        b.entity(eid, "company", name, country_iso2=iso2, parent_id=pid)
        for a in aliases:
            b.alias(eid, a["text"], a["lang"], a["kind"], a["case"], a["rule"])

    for eid, rec in b.entities.items():
        if rec["type"] != "company":
            continue
        for a in rec["aliases"]:
            index.setdefault(a["text"].lower(), eid)
        index.setdefault(rec["name_en"].lower(), eid)
    return index


def find_maker(producer: str, company_index: dict[str, str]) -> str:
    for part in re.split(r"[;/,(]| \+ ", producer):
        key = part.strip().rstrip(")").lower()
        key = re.sub(r"^(jsc|ao|pjsc) ", "", key)
        if key in company_index:
            return company_index[key]
        for word_count in (3, 2, 1):
            words = key.split()
            if len(words) > word_count:
                short = " ".join(words[:word_count])
                if short in company_index and len(short) > 3:
                    return company_index[short]
    return ""


DESIGNATOR_RE = re.compile(r"[A-Za-z]*\d")
MAKER_PREFIXES = {
    "Su": ("Sukhoi", "Soukhoï"), "Tu": ("Tupolev", "Toupolev"), "Il": ("Ilyushin", "Iliouchine"), "Ka": ("Kamov",),
}


def weapon_alias_policy(text: str, default_rule: str, match_policy: str, ambiguity: str) -> tuple[str, str] | None:
    """(case, rule) for one alias of a curated weapon, or None to drop it."""
    override = WEAPON_ALIAS_OVERRIDES.get(text)
    has_digit = any(c.isdigit() for c in text)
    case = "exact" if match_policy == "case_sensitive" else "capitalised"
    if has_digit:
        case = "exact" if sum(c.isalpha() for c in text.split("-")[0]) <= 3 else "capitalised"
        if "-" in text and text.split("-")[0].isalpha() and text.split("-")[0][:1].isupper():
            case = "capitalised"  # Kh-101 = KH-101; Tor-M2
    if override == "drop":
        return None
    if override == "exact":
        return "exact", ""
    if override is not None:
        return case, override
    if match_policy == "requires_context" and not has_digit:
        return case, default_rule
    if not has_digit and ambiguity in ("medium", "high") and " " not in text:
        return case, default_rule
    return case, ""


def spelling_variants(text: str) -> list[str]:
    """`Shahed-136` -> `Shahed 136`, `Shahed136`: designators written three ways."""
    out = []
    m = re.fullmatch(r"([A-Za-zА-Яа-я]{2,})[- ]?(\d[\w-]*)", text)
    if m:
        # Joined forms (Shahed136) only for words of 3+ letters: "SA20" is a cricket league.
        # No joined form for NATO codes ("SA20" is a cricket league) or "HQ" ("HQ2" is an office).
        nato_code = m.group(1).upper() in ("SA", "SS", "AS", "AT", "AA", "SSC", "SSN", "HQ", "SR")
        for sep in ("-", " ") if nato_code else ("-", " ", ""):
            v = f"{m.group(1)}{sep}{m.group(2)}"
            if v != text:
                out.append(v)
    return out


def build_weapons(b: Builder, src: Path, company_index: dict[str, str]) -> None:
    for slug, name_fr, en, fr in WEAPON_CLASSES:
        eid = f"weapon_class:{slugify(slug)}"
        b.entity(eid, "weapon_class", slug, name_fr=name_fr)
        for text in en:
            b.alias(eid, text, "en", "name" if text == slug else "alias",
                    "exact" if text in UPPER_CLASS_ALIASES else "insensitive", "")
        for text in fr:
            b.alias(eid, text, "fr", "name" if text == name_fr else "alias", "insensitive", "")

    curated_keys: dict[str, str] = {}
    for row in read_csv(src / "weapons_curated_aliases.csv"):
        name = row["canonical_name"]
        eid = entity_id("weapon", name)
        wclass = weapon_class_of(row["category"])
        if name in ("Poseidon", "RS-28 Sarmat", "Minuteman III", "Trident II", "9M730 Burevestnik"):
            wclass = "weapon_class:nuclear-weapon" if name == "Poseidon" else wclass
        origin = row["origin_iso2"].split("/")[0]
        origin = "" if origin in ("EU", "SU") else origin
        if row["origin_iso2"].startswith("SU"):
            origin = "RU" if "RU" in row["origin_iso2"] else ""
        maker = find_maker(row["producer"], company_index)
        b.entity(eid, "weapon", name, name_fr=split(row["aliases_fr"])[0] if row["aliases_fr"] else "",
                 country_iso2=origin, parent_id=maker, weapon_class=wclass)
        default_rule = rule_for_weapon_class(wclass)
        texts: list[tuple[str, str]] = [(name, "en")]
        texts += [(t, "en") for t in split(row["aliases_en"])]
        en_keys = {t.lower() for t, _ in texts}
        for t in split(row["aliases_fr"]):
            # "système S-400" -> "S-400" only when the bare name is already an alias ("classe
            # Virginia" stays whole: bare Virginia is a US state).
            bare = re.sub(r"^(système|batterie|missiles?|chars?|canons?|obusier|blindé|drone naval|drone|avion|bombe|lance-roquettes|porte-avions|croiseur|sous-marin de classe|classe|Tupolev) ", "", t)
            texts.append((bare if bare.lower() in en_keys or any(c.isdigit() for c in bare) else t, "fr"))
        texts += [(t, "native") for t in split(row["aliases_ru_cyrillic"])]
        nato = row["nato_reporting_name"]
        for n in nato.split(" / "):
            n = n.strip()
            if n and any(c.isdigit() for c in n):
                texts.append((n, "en"))
        # "Moskva (cruiser)" -> "Moskva"
        texts = [(re.sub(r"\s*\(.*\)$", "", t).strip(), lang) for t, lang in texts]
        if name == "Shahed-136":  # bare "Shahed" names the family, in drone context
            texts.append(("Shahed", ""))
        if name == "Bayraktar TB2":  # the plural is the drones, not the family name or the person
            texts.append(("Bayraktars", ""))
        # "Sukhoi-34", "Tupolev-95": the maker's name written as the designator's prefix.
        for t, _lang in list(texts):
            m = re.fullmatch(r"(Su|Tu|Il|Ka)-(\d+\w*)", t)
            if m:
                for maker in MAKER_PREFIXES[m.group(1)]:
                    texts += [(f"{maker}-{m.group(2)}", ""), (f"{maker} {m.group(2)}", "")]
        if name == "Leopard 2":  # bare Leopard (the animal, an OS) only with tank context
            texts += [("Leopard", ""), ("Léopard", "fr")]
        for text, lang in texts:
            if not text:
                continue
            policy = weapon_alias_policy(text, default_rule, row["match_policy"], row["ambiguity"])
            if policy is None:
                continue
            case, rule = policy
            if lang == "native":
                case = "capitalised"
            kind = "name" if text == name else "alias"
            b.alias(eid, text, lang, kind, case, rule)
            curated_keys.setdefault(text.lower(), eid)
            if not rule:
                for v in spelling_variants(text):
                    b.alias(eid, v, lang, "alias", case, "")
                    curated_keys.setdefault(v.lower(), eid)

    build_oryx_sipri(b, src, company_index, curated_keys)


DESCRIPTIVE = {
    "reconnaissance", "recon", "uav", "ucav", "drone", "spg", "sph", "mrl", "mlrs", "sam", "ifv", "apc", "mbt",
    "tank", "howitzer", "mortar", "truck", "radar", "command", "post", "vehicle", "system", "launcher", "with",
    "armed", "unmanned", "loitering", "munition", "atgm", "anti-tank", "self-propelled", "towed", "gun",
    "helicopter", "aircraft", "ship", "boat", "jammer", "ew", "armoured", "armored", "artillery", "and", "of",
    "for", "fire", "direction", "counter-battery", "multi-functional", "vhf", "air", "defence", "engineering",
}
CALIBRE_RE = re.compile(r"^\d{2,3}\s*mm\s+", re.I)
_LOOKALIKE_WORD_RE = re.compile(r"[\w-]+")


def _latin_lookalikes(text: str) -> str:
    def fix(m: re.Match[str]) -> str:
        w = m.group(0)
        if re.search(r"[0-9A-Za-z]", w):
            return "".join(CYRILLIC_LOOKALIKES.get(c, c) for c in w)
        return w
    return _LOOKALIKE_WORD_RE.sub(fix, text)


def clean_designation(text: str) -> str:
    """`155mm 2S19 Msta-S self-propelled howitzer` -> `2S19 Msta-S`; "" when no designator."""
    text = _latin_lookalikes(CALIBRE_RE.sub("", text.strip()))
    text = re.sub(r"\s*\(.*?\)", "", text)
    tokens = [t.strip("\"'«»“”,") for t in text.split()]
    tokens = [t for t in tokens if t]
    idx = next((i for i, t in enumerate(tokens) if any(c.isdigit() for c in t)), -1)
    if idx < 0 or idx > 1:
        return ""
    if idx == 1 and (tokens[0].lower() in DESCRIPTIVE or not tokens[0][:1].isupper()):
        return ""
    parts = tokens[: idx + 1]
    nxt = tokens[idx + 1] if idx + 1 < len(tokens) else ""
    if nxt and nxt.lower() not in DESCRIPTIVE and re.fullmatch(r"[A-Z][a-z]+(?:-[A-Za-z0-9]+)*", nxt):
        parts.append(nxt)
    return " ".join(parts)


def distinctive(text: str) -> bool:
    """A designation worth matching: letters and digits (T-72B3, 2S19), not a bare number or year,
    not one letter and a number (M53 is a bus line, A321 an airliner, K-9 a police dog)."""
    if len(text) < 4 or not any(c.isdigit() for c in text) or not any(c.isalpha() for c in text):
        return False
    if re.fullmatch(r"[A-Za-z]-?\d+[A-Za-z]?", text):
        return False
    if re.fullmatch(r"\d+[a-z]{0,2}", text) or re.fullmatch(r"[A-Za-z]\d", text):
        return False
    return not re.fullmatch(r"(?:19|20)\d\d\w?", text)


def family_key(text: str) -> str:
    """`T-72B3M` -> `t-72`, `BMP-2(K)` -> `bmp-2`: the curated entity a variant belongs to."""
    m = re.match(r"([A-Za-z]+-?\d+)", text)
    return m.group(1).lower() if m else ""


# Airliners and business aircraft in the SIPRI register: "Boeing 737" names the maker, not a weapon.
CIVIL_AIRCRAFT_PREFIXES = (
    "Boeing-7", "Boeing 7", "B-7", "Airbus", "A3", "Cessna", "Beech", "Learjet", "Gulfstream", "Embraer",
    "ERJ", "ATR-", "ATR ", "Dash", "Bombardier", "Super King Air", "King Air", "Falcon-", "Falcon ", "CRJ",
)


def build_oryx_sipri(b: Builder, src: Path, company_index: dict[str, str], curated_keys: dict[str, str]) -> None:
    candidates: dict[str, tuple[str, str, str]] = {}  # designation -> (category, origin, source)
    for row in read_csv(src / "weapons_oryx_systems.csv"):
        if int(row["loss_records"] or 0) < 3:
            continue
        name = clean_designation(row["system"])
        origin = row["origin_country"].split(";")[0]
        candidates.setdefault(name, (row["oryx_category"] or row["system"], origin, "oryx"))
    civil = ("transport aircraft", "airliner", "business jet", "light aircraft", "trainer", "light helicopter",
             "transport helicopter", "truck", "patrol craft", "tug", "support ship", "engine", "radar", "computer")
    for row in read_csv(src / "weapons_sipri_trade_register_designations.csv"):
        if int(row["n_deals"] or 0) < 2 or any(k in row["sipri_description"].lower() for k in civil):
            continue
        supplier = row["suppliers"].split(";")[0]
        for part in row["weapon_designation"].split("/"):
            name = clean_designation(part)
            candidates.setdefault(name, (row["sipri_description"], supplier, "sipri"))
    country_names = {rec["name_en"]: rec["iso2"] for rec in b.entities.values() if rec["type"] == "country"}
    country_names.update({"Soviet Union": "RU", "USA": "US", "UK": "GB", "Russia": "RU", "South Korea": "KR"})
    for name, (category, origin, _source) in sorted(candidates.items()):
        name = " ".join(name.split())
        if not distinctive(name) or len(name) > 40 or name.startswith(CIVIL_AIRCRAFT_PREFIXES):
            continue
        key = name.lower()
        if key in curated_keys:
            continue
        fam = family_key(name)
        target = curated_keys.get(fam) if fam else None
        if target:
            b.alias(target, name, "", "alias", "exact")
            continue
        eid = entity_id("weapon", name)
        if not slugify(name):
            continue
        wclass = weapon_class_of(category)
        b.entity(eid, "weapon", name, country_iso2=country_names.get(origin, ""), weapon_class=wclass)
        b.alias(eid, name, "", "name", "exact")
        for v in spelling_variants(name):
            b.alias(eid, v, "", "alias", "exact")
        curated_keys[key] = eid


# --- output -------------------------------------------------------------------------------

TYPE_FILES = {
    "country": "countries.jsonl", "company": "companies.jsonl", "weapon": "weapons.jsonl",
    "weapon_class": "weapon_classes.jsonl", "organisation": "organisations.jsonl", "person": "persons.jsonl",
}


def read_curated_additions(path: Path, b: Builder) -> None:
    """`curated_additions.jsonl`: hand-written entities/aliases in the output format, merged last."""
    if not path.exists():
        return
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        rec = json.loads(line)
        b.entity(rec["id"], rec["type"], rec.get("name_en", ""), **{
            k: rec.get(k, "") for k in ("name_fr", "iso2", "iso3", "country_iso2", "parent_id", "weapon_class")})
        for a in rec.get("aliases", []):
            b.alias(rec["id"], a["text"], a.get("lang", ""), a.get("kind", "alias"), a.get("case", ""), a.get("rule", ""))


def validate(b: Builder) -> None:
    rule_names = {r["name"] for r in RULES}
    for rec in b.entities.values():
        for a in rec["aliases"]:
            if a["rule"] and a["rule"] not in rule_names:
                raise SystemExit(f"{rec['id']}: alias {a['text']!r} uses unknown rule {a['rule']!r}")
        for key in ("parent_id", "weapon_class"):
            if rec[key] and rec[key] not in b.entities:
                rec[key] = ""


def write(b: Builder, out: Path) -> dict[str, int]:
    out.mkdir(parents=True, exist_ok=True)
    by_file: dict[str, list[Record]] = defaultdict(list)
    for rec in b.entities.values():
        if not rec["aliases"]:
            continue
        by_file[TYPE_FILES[rec["type"]]].append(rec)
    counts = {}
    for fname in TYPE_FILES.values():
        recs = sorted(by_file.get(fname, []), key=lambda r: r["id"])
        lines = [json.dumps({k: v for k, v in r.items() if v not in ("", [])}, ensure_ascii=False) for r in recs]
        (out / fname).write_text("\n".join(lines) + "\n", encoding="utf-8")
        counts[fname] = len(recs)
    (out / "rules.jsonl").write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in sorted(RULES, key=lambda r: r["name"])) + "\n",
        encoding="utf-8",
    )
    (out / "stops.txt").write_text(
        "# Phrases that win by length and name nothing (one per line).\n" + "\n".join(sorted(set(STOPS))) + "\n",
        encoding="utf-8",
    )
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sources", type=Path, default=DEFAULT_SOURCES)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    if not (args.sources / "countries_en_fr_demonyms.csv").exists():
        print(f"no gazetteer sources in {args.sources}", file=sys.stderr)
        return 2
    b = Builder()
    names = build_countries(b, args.sources)
    build_capitals(b, args.sources)
    build_organisations(b)
    build_persons(b, args.sources)
    company_index = build_companies(b, args.sources, names)
    build_weapons(b, args.sources, company_index)
    read_curated_additions(args.out / "curated_additions.jsonl", b)
    validate(b)
    counts = write(b, args.out)
    n_alias = sum(len(r["aliases"]) for r in b.entities.values())
    print(f"wrote {sum(counts.values())} entities, {n_alias} aliases to {args.out}: "
          + ", ".join(f"{k} {v}" for k, v in counts.items()))
    return 0


if __name__ == "__main__":
    # unicodedata is imported for its side effect of failing early on a broken Python build.
    assert unicodedata.unidata_version
    raise SystemExit(main())

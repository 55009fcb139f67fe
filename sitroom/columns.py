"""Column names of every frame the project passes around, in one place.

Frames are built by loaders/ and consumed by the core and ui/; a typo in a column name
is a KeyError at one import instead of a silent empty chart.
"""

from __future__ import annotations

# articles frame
ARTICLE_ID = "article_id"  # integer primary key inside the archive
UID = "uid"  # stable id (hash of canonical URL, else feed + guid)
URL = "url"  # canonical URL
TITLE = "title"
SUMMARY = "summary"
PUBLISHED = "published"  # tz-aware UTC timestamp
PUBLISHED_RAW = "published_raw"
FIRST_SEEN = "first_seen"
LANG = "lang"
AUTHOR = "author"
CATEGORIES = "categories"
FEED_ID = "feed_id"
FEED_NAME = "feed_name"
FEEDS = "feeds"  # "; "-joined names of every feed that carried the article
PUBLISHER = "publisher"
DAY = "day"  # UTC calendar day, datetime64 at midnight

# mentions / aggregates
ENTITY_ID = "entity_id"
ENTITY_TYPE = "entity_type"
NAME = "name"
ISO2 = "iso2"
N_ARTICLES = "n_articles"  # articles that mention the entity
N_READ = "n_read"  # articles read (the denominator)
PER_1000 = "per_1000"
FIELD = "field"
ALIAS = "alias"
START = "start"
END = "end"
MATCH_KIND = "match_kind"

ARTICLE_COLUMNS = (
    ARTICLE_ID, UID, URL, TITLE, SUMMARY, PUBLISHED, PUBLISHED_RAW, FIRST_SEEN,
    LANG, AUTHOR, CATEGORIES, FEED_ID, FEED_NAME, PUBLISHER,
)
DAILY_MENTION_COLUMNS = (DAY, ENTITY_ID, ENTITY_TYPE, NAME, ISO2, LANG, N_ARTICLES, N_READ)

# dashboard (sitroom.analytics, sitroom.figures, loaders.queries)
VALUE = "value"  # what a chart plots: per_1000 or n_articles, after resampling and rolling mean
SPIKE = "spike"  # bool: the value stands out from its trailing window (robust z-score)
N_BEFORE = "n_before"  # articles in the previous period of the same length
CHANGE = "change"  # n_articles - n_before
PCT_CHANGE = "pct_change"  # 100 * change / n_before; NaN for newcomers
NEWCOMER = "newcomer"  # bool: no mention in the previous period
PER_1000_BEFORE = "per_1000_before"  # the previous period's rate
N_BOTH = "n_both"  # articles mentioning both the profiled entity and this one
LIFT = "lift"  # n_both * n_total / (n_target * n_entity)
ISO3 = "iso3"
N_FAILED = "n_failed"  # failed polls that day
N_POLLS = "n_polls"
N_NOT_MODIFIED = "n_not_modified"
ALIASES = "aliases"  # JSON list in the entities table; tuple of str in frames

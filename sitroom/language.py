"""Which language a short news text is in: French or English, by stopword counts.

Feeds nearly always declare their language (configured, or the channel's `<language>`); this
is the fallback for feeds that do not. It only has to tell French from English on a headline
plus a summary, so a stopword count is enough, runs in microseconds, and needs no model.
"""

from __future__ import annotations

import re

_WORD = re.compile(r"[a-zà-ÿœæ]+", re.IGNORECASE)

# Frequent function words that are not also frequent in the other language ("a", "on",
# "des"... are avoided or kept only on the side where they dominate).
_FR = frozenset(
    ["le", "la", "les", "un", "une", "des", "du", "de", "au", "aux", "et", "est", "sont", "dans", "pour", "par", "sur", "avec", "sans", "pas", "plus", "qui", "que", "quoi", "dont", "où", "ce", "cette", "ces", "se", "sa", "son", "ses", "leur", "leurs", "nous", "vous", "ils", "elles", "il", "elle", "été", "être", "fait", "mais", "ou", "donc", "car", "selon", "après", "avant", "contre", "entre", "depuis", "chez", "lors", "face", "vers", "aussi", "très", "déjà", "encore", "l", "d", "qu", "n", "s", "c", "j"]
)
_EN = frozenset(
    ["the", "of", "and", "to", "in", "is", "are", "was", "were", "be", "been", "for", "with", "without", "on", "at", "by", "from", "that", "this", "these", "those", "which", "who", "whom", "what", "when", "where", "why", "how", "it", "its", "his", "her", "their", "they", "them", "we", "you", "not", "but", "or", "as", "has", "have", "had", "will", "would", "could", "should", "after", "before", "against", "between", "over", "into", "says", "said", "than", "more", "also"]
)


def detect_language(text: str) -> str:
    """'fr', 'en', or '' when the text gives no clear signal (too short, or neither)."""
    fr = en = 0
    for word in _WORD.findall(text.lower()):
        if word in _FR:
            fr += 1
        elif word in _EN:
            en += 1
    if fr + en < 2:
        return ""
    if fr > en:
        return "fr"
    if en > fr:
        return "en"
    return ""


def language_code(tag: str) -> str:
    """The primary ISO 639-1 subtag of a language tag: 'fr-FR' -> 'fr', 'EN_us' -> 'en', junk -> ''."""
    primary = re.split(r"[-_\s]", tag.strip().lower(), maxsplit=1)[0] if tag else ""
    return primary if re.fullmatch(r"[a-z]{2,3}", primary) else ""

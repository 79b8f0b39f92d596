"""Messages written in another alphabet (Arabic, Urdu, Chinese, Cyrillic...): the assistant reads only English.

Read as English, "هل يمكنني التحدث مع شخص" ("can I talk to a person") was taken for a detail and asked "What would
you like me to do with that?" (a probe). The intent classifier gives such a message no confidence, so the
fallback answers it: in plain English, with the phone number and an interpreter.
"""

from __future__ import annotations

import unicodedata

# At least this many letters, most of them outside the Latin alphabet: "ok 👍" or one stray letter is not a message
# in another alphabet.
LETTERS_NEEDED = 2
# The reply, wherever such a message comes (out of the blue, or at one of a task's questions).
ENGLISH_ONLY = (
    "Sorry, I can only read English. If English is hard for you, please call us on {phone} and ask for an "
    "interpreter, or choose Talk to a person."
)


def in_another_alphabet(text: str) -> bool:
    """Tell whether most of the letters in ``text`` are not Latin letters."""
    letters = [char for char in text if char.isalpha()]
    others = [char for char in letters if not unicodedata.name(char, "").startswith("LATIN")]
    return len(others) >= LETTERS_NEEDED and len(others) * 2 > len(letters)


# Everyday words of the languages most often spoken in English councils' areas after English (Polish, Romanian,
# Portuguese, Spanish, French, German, Italian, Lithuanian), none of them an English word a resident would type:
# "hola, quiero votar por correo" or "dzień dobry, nie odebrali śmieci" got "Sorry, I didn't quite get that", or
# buttons for the wrong tasks (a probe), where Arabic got the English-only reply with an interpreter.
LANGUAGES_WORDS = (
    "jak nie się czy mogę jest że dzień dobry chcę mój moja moje gdzie kiedy proszę dziękuję podatek śmieci",
    "głosować mam moim nas jestem był została zostały odebrali dlaczego przez",
    "nu și sunt unde când cum vreau pot mea meu bună mulțumesc gunoi să în pentru este taxa impozit",
    "eu não você voce quero como onde quando meu minha obrigado obrigada posso lixo imposto olá bom dia votar",
    "por favor el los las que una para con es mi puedo quiero hola gracias cómo dónde cuándo basura correo",
    "está esta donde cuando necesito ayuda hablar alguien impuesto colegio recogen ayuntamiento mis tengo",
    "je le les des est pas vous mon où quand comment bonjour merci voter poubelle peux veux suis avec dans",
    "voudrais aimerais votre pour une sont",
    "ich nicht und der das ist wie wo wann mein meine kann möchte hallo danke wählen müll bitte guten ein eine",
    "io non sono dove voglio della ciao grazie votare spazzatura che quando passa raccolta rifiuti dei",
    "é recolha preciso ajuda câmara",
    "ziua când se colectează gunoiul mă înregistrez vota",
    "labas ačiū kur kada noriu mano",
)
FOREIGN_WORDS = frozenset(word for words in LANGUAGES_WORDS for word in words.split())
# Enough of them to be sure: a name ("María José de la Cruz") or an address keeps one or two.
FOREIGN_WORDS_NEEDED = 3


def in_another_language(text: str) -> bool:
    """Tell whether ``text`` is written in another language in the Latin alphabet: mostly such everyday words."""
    words = [word.strip(".,!?¿¡:;'\"()").lower() for word in text.split()]
    words = [word for word in words if word and any(char.isalpha() for char in word)]
    foreign = [word for word in words if word in FOREIGN_WORDS]
    return len(foreign) >= FOREIGN_WORDS_NEEDED and len(foreign) * 2 >= len(words)


def not_english(text: str) -> bool:
    """Tell whether ``text`` is in another alphabet or, in the Latin one, in another language."""
    return in_another_alphabet(text) or in_another_language(text)

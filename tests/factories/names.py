"""Names as they sound in Brussels: French- and Dutch-speaking Belgian names (Faker's
``fr_BE`` and ``nl_BE`` locales, plus first names of the generation born 1995–2011), and
the many names of families from elsewhere that make up much of Brussels' youth."""

import random

from faker import Faker

# Faker's Belgian first names lean to the parents' generation; these are given to young
# people born from the late 1990s on.
FR_FIRST_FEMALE = [
    "Emma", "Louise", "Léa", "Chloé", "Manon", "Camille", "Inès", "Sarah", "Zoé",
    "Juliette", "Clara", "Lina", "Nora", "Eva", "Alice", "Lucie", "Jade", "Margaux",
    "Océane", "Maëlle", "Laura", "Elise", "Romane", "Noémie", "Justine", "Marie",
    "Pauline", "Héloïse", "Mélissa", "Célia",
]  # fmt: skip
FR_FIRST_MALE = [
    "Lucas", "Nathan", "Hugo", "Louis", "Théo", "Noah", "Arthur", "Maxime", "Tom",
    "Romain", "Thomas", "Mathis", "Gabriel", "Antoine", "Julien", "Simon", "Victor",
    "Quentin", "Baptiste", "Loïc", "Kevin", "Dylan", "Florian", "Corentin", "Jérôme",
    "Benjamin", "Alexandre", "Aurélien", "Logan", "Enzo",
]  # fmt: skip
NL_FIRST_FEMALE = [
    "Lotte", "Fien", "Noor", "Marie", "Emma", "Julie", "Lore", "Hanne", "Elise", "Lien",
    "Ine", "Febe", "Jana", "Amber", "Nina", "Sien", "Jolien", "Lisa", "Yana", "Zoë",
    "Charlotte", "Anouk", "Margot", "Silke", "Kaat",
]  # fmt: skip
NL_FIRST_MALE = [
    "Lars", "Wout", "Seppe", "Arne", "Jonas", "Thibo", "Jens", "Robbe", "Milan",
    "Ruben", "Stijn", "Kobe", "Mats", "Warre", "Tibo", "Bram", "Lennert", "Pieter-Jan",
    "Jelle", "Niels", "Sander", "Wannes", "Brent", "Yannick", "Glenn",
]  # fmt: skip
# Names of Brussels families with roots elsewhere, by origin so that first and last
# names go together.
WORLD: dict[str, tuple[list[str], list[str], list[str]]] = {
    # origin: (female first names, male first names, last names)
    "maghreb": (
        ["Amina", "Yasmine", "Salma", "Imane", "Aya", "Nour", "Hajar", "Sara",
         "Soumaya", "Khadija", "Meryem", "Ikram", "Hiba", "Rania", "Fatima", "Inès"],
        ["Mohamed", "Ayoub", "Ilyas", "Adam", "Yassine", "Hamza", "Bilal", "Anas",
         "Amine", "Othmane", "Soufiane", "Ismaël", "Rayan", "Mehdi", "Walid", "Nabil"],
        ["El Amrani", "Benali", "Bouzid", "Ait Ouali", "Ouahbi", "El Khattabi",
         "Azzouzi", "Boukhari", "Chaouki", "El Mansouri", "Haddouchi", "Lahlou",
         "Tahiri", "Ziani", "Benjelloun", "Ait Lahcen"],
    ),
    "turkey": (
        ["Elif", "Zeynep", "Merve", "Büşra", "Ayşe", "Esra", "Selin", "Melike",
         "Ecem", "İrem", "Kübra", "Hatice"],
        ["Emre", "Yusuf", "Burak", "Mehmet", "Kerem", "Furkan", "Enes", "Oğuz",
         "Hakan", "Serkan", "Mert", "Berkay"],
        ["Yılmaz", "Kaya", "Demir", "Öztürk", "Çelik", "Aydın", "Şahin", "Doğan",
         "Arslan", "Koç", "Kurt", "Özdemir", "Polat", "Erdoğan"],
    ),
    "central-africa": (
        ["Grace", "Divine", "Esther", "Gloria", "Merveille", "Ruth", "Christelle",
         "Aline"],
        ["Christ", "Jordan", "Glody", "Exaucé", "Trésor", "Patrick", "Dieumerci",
         "Jean-Paul"],
        ["Kabongo", "Mbuyi", "Tshibangu", "Mukendi", "Ilunga", "Nsimba", "Mutombo",
         "Uwimana", "Habimana", "Niyonzima"],
    ),
    "west-africa": (
        ["Aïcha", "Fatoumata", "Mariama", "Kadiatou", "Aminata", "Hawa", "Awa",
         "Binta", "Oumou", "Djénéba", "Safiatou", "Rokia"],
        ["Mamadou", "Ibrahima", "Alpha", "Ousmane", "Abdoulaye", "Moussa", "Sékou",
         "Thierno", "Lamine", "Boubacar", "Souleymane", "Cheick"],
        ["Diallo", "Bah", "Barry", "Sow", "Camara", "Traoré", "Koné", "Baldé",
         "Sylla", "Touré", "Keita", "Cissé", "Ndiaye", "Sangaré"],
    ),
    "poland": (
        ["Julia", "Aleksandra", "Zuzanna", "Natalia", "Wiktoria", "Oliwia", "Maja"],
        ["Jakub", "Kacper", "Piotr", "Mateusz", "Bartosz", "Michał", "Szymon"],
        ["Nowak", "Kowalczyk", "Lewandowski", "Mazur", "Wójcik", "Kamiński",
         "Zając", "Krawczyk"],
    ),
    "romania": (
        ["Ioana", "Andreea", "Elena", "Maria", "Alexandra", "Bianca", "Denisa"],
        ["Andrei", "Ionuț", "Mihai", "Bogdan", "Alexandru", "Cristian", "Florin"],
        ["Popescu", "Ionescu", "Stan", "Dumitru", "Constantin", "Munteanu",
         "Stoica", "Rusu"],
    ),
    "balkans": (
        ["Arta", "Blerta", "Elira", "Drita", "Albina", "Vjosa", "Liridona", "Ardita"],
        ["Arbër", "Driton", "Besnik", "Ilir", "Arben", "Valon", "Fatos", "Leutrim"],
        ["Krasniqi", "Berisha", "Gashi", "Hoxha", "Shala", "Morina", "Kelmendi",
         "Bytyqi"],
    ),
    "middle-east": (
        ["Leila", "Maryam", "Lina", "Zahra", "Shirin", "Yara", "Layla", "Farah",
         "Mahsa", "Nazanin"],
        ["Omar", "Ahmad", "Mustafa", "Ali", "Hassan", "Farid", "Karim", "Samir",
         "Reza", "Jawad", "Tarek"],
        ["Haddad", "Al-Hassan", "Ahmadi", "Rahimi", "Hosseini", "Khalil", "Nasser",
         "Saleh", "Karimi", "Mohammadi", "Darwish", "Hamdan"],
    ),
    "southern-europe": (
        ["Lucía", "Daniela", "Giulia", "Sofia", "Ana", "Beatriz"],
        ["Diego", "Mateo", "Luca", "Marco", "João", "Tiago"],
        ["Santos", "Ferreira", "García", "Rossi", "Esposito", "Papadopoulos",
         "Pérez", "Da Silva", "Martínez"],
    ),
}  # fmt: skip
WORLD_WEIGHTS = {
    "maghreb": 42.0,
    "turkey": 10.0,
    "central-africa": 14.0,
    "west-africa": 8.0,
    "poland": 5.0,
    "romania": 5.0,
    "balkans": 3.0,
    "middle-east": 6.0,
    "southern-europe": 7.0,
}

# fr: a French-speaking Belgian name; nl: a Dutch-speaking one; world: one of WORLD.
LANGUAGE_WEIGHTS = {"fr": 50.0, "nl": 15.0, "world": 35.0}


def fakers(seed: int | None = None) -> dict[str, Faker]:
    """One Faker per Belgian locale; seeded when ``seed`` is given."""
    instances = {"fr": Faker("fr_BE"), "nl": Faker("nl_BE")}
    if seed is not None:
        for offset, faker in enumerate(instances.values()):
            faker.seed_instance(seed + offset)
    return instances


def _weighted(rng: random.Random, weights: dict[str, float]) -> str:
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def pick_language(rng: random.Random) -> str:
    """ "fr", "nl", or an origin of WORLD for a name from elsewhere."""
    language = _weighted(rng, LANGUAGE_WEIGHTS)
    if language == "world":
        return _weighted(rng, WORLD_WEIGHTS)
    return language


def is_belgian(language: str) -> bool:
    return language in ("fr", "nl")


def first_name(
    rng: random.Random, faker_by_locale: dict[str, Faker], language: str, gender: str
) -> str:
    if gender not in ("female", "male"):
        gender = rng.choice(["female", "male"])
    female = gender == "female"
    if language in WORLD:
        women, men, _last = WORLD[language]
        return rng.choice(women if female else men)
    if rng.random() < 0.15:
        faker = faker_by_locale[language]
        return faker.first_name_female() if female else faker.first_name_male()
    if language == "nl":
        return rng.choice(NL_FIRST_FEMALE if female else NL_FIRST_MALE)
    return rng.choice(FR_FIRST_FEMALE if female else FR_FIRST_MALE)


def last_name(
    rng: random.Random, faker_by_locale: dict[str, Faker], language: str
) -> str:
    if language in WORLD:
        return rng.choice(WORLD[language][2])
    return faker_by_locale[language].last_name()


def person_name(
    rng: random.Random, faker_by_locale: dict[str, Faker], gender: str
) -> tuple[str, str, str]:
    """(first name, last name, language or origin of the name)."""
    language = pick_language(rng)
    return (
        first_name(rng, faker_by_locale, language, gender),
        last_name(rng, faker_by_locale, language),
        language,
    )


def guardian_name(
    rng: random.Random,
    faker_by_locale: dict[str, Faker],
    language: str,
    child_last_name: str,
) -> str:
    """A parent's name: mostly the child's family name."""
    gender = rng.choice(["female", "male"])
    if language in WORLD:
        first = first_name(rng, faker_by_locale, language, gender)
    else:
        faker = faker_by_locale[language if language in faker_by_locale else "fr"]
        first = (
            faker.first_name_female() if gender == "female" else faker.first_name_male()
        )
    if rng.random() < 0.75:
        last = child_last_name
    else:
        last = last_name(rng, faker_by_locale, language)
    return f"{first} {last}"


# Pairs that differ only by accents or case, for the duplicate check.
NEAR_DUPLICATES = [
    (("Léa", "Dubois"), ("Lea", "DUBOIS"), "female", "fr"),
    (("Zoë", "Van den Broeck"), ("Zoe", "VAN DEN BROECK"), "female", "nl"),
    (("Mehdi", "El Amrani"), ("Mehdi", "EL-AMRANI"), "male", "maghreb"),
    (("Inès", "Lefèvre"), ("Ines", "Lefevre"), "female", "fr"),
    (("Jérôme", "Dupont"), ("Jerome", "dupont"), "male", "fr"),
    (("Chloé", "Peeters"), ("Chloe", "Peeters"), "female", "nl"),
    (("Yusuf", "Öztürk"), ("Yusuf", "Ozturk"), "male", "turkey"),
    (("Noémie", "Lambert"), ("Noemie", "LAMBERT"), "female", "fr"),
]

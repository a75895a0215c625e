"""Names as they sound in Brussels: French- and Dutch-speaking Belgian names (first
names of the generation born 1995–2011, and of their parents), and the many names of
families from elsewhere that make up much of Brussels' youth.

Plain lists and a ``random.Random``: the demo needs no fake-data library at run time."""

import random

# First names given to young people born from the late 1990s on.
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
# Family names common in Wallonia and Brussels (fr) and in Flanders and Brussels (nl).
BELGIAN_LAST = {
    "fr": [
        "Dubois", "Lambert", "Martin", "Dupont", "Simon", "Laurent", "Leclercq",
        "Dumont", "Lejeune", "Renard", "Lefèvre", "Mathieu", "Denis", "Lemaire",
        "Collard", "François", "Gilson", "Henry", "Hubert", "Jacquet", "Lebrun",
        "Legrand", "Leroy", "Michel", "Noël", "Piette", "Remy", "Robert", "Thiry",
        "Wauters", "André", "Bastin", "Bertrand", "Bodart", "Bourgeois", "Charlier",
        "Closset", "Collignon", "Delvaux", "Demoulin", "Deprez", "Desmet", "Docquier",
        "Dufour", "Evrard", "Fontaine", "Frère", "Gérard", "Gillet", "Godefroid",
        "Goffin", "Grégoire", "Hanssens", "Hardy", "Hennuy", "Honoré", "Jadot",
        "Lecomte", "Lemoine", "Leonard", "Lhoest", "Marchal", "Massart", "Mertens",
        "Moreau", "Nicolas", "Pirard", "Pirson", "Poncelet", "Rousseau", "Schmitz",
        "Servais", "Stas", "Thomas", "Toussaint", "Vandenberghe", "Verhaegen",
        "Willame", "Wilmet", "Baudoux",
    ],
    "nl": [
        "Peeters", "Janssens", "Maes", "Jacobs", "Mertens", "Willems", "Claes",
        "Goossens", "Wouters", "De Smet", "Dubois", "Hermans", "Aerts", "Pauwels",
        "Van den Broeck", "Vermeulen", "Michiels", "Dumont", "Desmet", "Smets",
        "Coppens", "Martens", "Verstraete", "Van Damme", "De Clercq", "Cools",
        "Verhoeven", "Janssen", "Segers", "Stevens", "Lambrechts", "Bogaert",
        "Claeys", "De Backer", "De Wilde", "Dewulf", "Hendrickx", "Huybrechts",
        "Lemmens", "Leys", "Mahieu", "Matthys", "Moens", "Nijs", "Persoons",
        "Raes", "Renders", "Schepens", "Slegers", "Standaert", "Thys", "Timmermans",
        "Van Acker", "Van Hoof", "Vandamme", "Vanderstraeten", "Verbeke", "Verbruggen",
        "Vercammen", "Verhaegen", "Vlaeminck", "Wuyts", "Baeten", "Bosmans",
        "Celis", "Ceulemans", "D'Hondt", "De Cock", "De Meyer", "De Vos", "Geerts",
        "Lauwers", "Luyten", "Meeus", "Op de Beeck", "Smolders", "Van Aelst",
        "Van de Velde", "Vanhove", "Vos",
    ],
}  # fmt: skip
# First names of the parents' generation (guardians, and now and then a young person).
PARENT_FIRST = {
    "fr": (
        ["Isabelle", "Nathalie", "Catherine", "Véronique", "Sophie", "Anne",
         "Christine", "Valérie", "Sandrine", "Martine", "Caroline", "Françoise",
         "Sylvie", "Murielle", "Patricia", "Florence", "Stéphanie", "Virginie",
         "Annick", "Carine"],
        ["Philippe", "Michel", "Pierre", "Marc", "Jean", "Alain", "Patrick",
         "Christophe", "Eric", "Didier", "Olivier", "Frédéric", "Laurent", "Thierry",
         "Pascal", "Vincent", "Benoît", "Fabrice", "Stéphane", "Luc"],
    ),
    "nl": (
        ["An", "Katrien", "Els", "Sofie", "Veerle", "Inge", "Hilde", "Karen", "Ann",
         "Nathalie", "Kristel", "Griet", "Sarah", "Sabine", "Kathleen", "Lieve",
         "Tine", "Evelien", "Leen", "Wendy"],
        ["Peter", "Marc", "Jan", "Luc", "Dirk", "Koen", "Bart", "Geert", "Kris",
         "Tom", "Stefaan", "Wim", "Filip", "Johan", "Patrick", "Steven", "Jeroen",
         "Pieter", "Frank", "Hans"],
    ),
}  # fmt: skip
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


def _belgian(language: str) -> str:
    return language if language in BELGIAN_LAST else "fr"


def first_name(rng: random.Random, language: str, gender: str) -> str:
    if gender not in ("female", "male"):
        gender = rng.choice(["female", "male"])
    female = gender == "female"
    if language in WORLD:
        women, men, _last = WORLD[language]
        return rng.choice(women if female else men)
    if rng.random() < 0.15:
        # Now and then a name of the parents' generation.
        women, men = PARENT_FIRST[_belgian(language)]
        return rng.choice(women if female else men)
    if language == "nl":
        return rng.choice(NL_FIRST_FEMALE if female else NL_FIRST_MALE)
    return rng.choice(FR_FIRST_FEMALE if female else FR_FIRST_MALE)


def last_name(rng: random.Random, language: str) -> str:
    if language in WORLD:
        return rng.choice(WORLD[language][2])
    return rng.choice(BELGIAN_LAST[_belgian(language)])


def person_name(rng: random.Random, gender: str) -> tuple[str, str, str]:
    """(first name, last name, language or origin of the name)."""
    language = pick_language(rng)
    return (
        first_name(rng, language, gender),
        last_name(rng, language),
        language,
    )


def guardian_name(rng: random.Random, language: str, child_last_name: str) -> str:
    """A parent's name: mostly the child's family name."""
    gender = rng.choice(["female", "male"])
    if language in WORLD:
        first = first_name(rng, language, gender)
    else:
        women, men = PARENT_FIRST[_belgian(language)]
        first = rng.choice(women if gender == "female" else men)
    if rng.random() < 0.75:
        last = child_last_name
    else:
        last = last_name(rng, language)
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

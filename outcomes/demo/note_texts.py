"""Follow-up notes that read like an advisor's: French and Dutch templates with a few
blanks filled at random. Templates that only make sense on some channels say which."""

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Template:
    topic: str
    text: str
    channels: tuple[str, ...] = ()  # empty: any channel
    stage: str = "any"  # "start", "any" or "end" of the path


FR = [
    Template(
        "Premier entretien",
        "Premier entretien avec {first_name}. Présentation de l'accompagnement et "
        "des activités collectives. Intérêt pour {sector}, mais le projet reste "
        "flou. Prochaine étape : questionnaire d'intérêts et point sur le parcours "
        "scolaire.",
        ("in_person", "video"),
        "start",
    ),
    Template(
        "Accueil et analyse de la demande",
        "{first_name} vient pour « savoir quoi faire après ». A arrêté l'école en "
        "cours d'année. On fait le tour des pistes : reprise d'études, formation, "
        "emploi. Rendez-vous fixé pour approfondir.",
        ("in_person",),
        "start",
    ),
    Template(
        "Intérêts professionnels",
        "Passation d'un questionnaire d'intérêts. Intérêts marqués pour {sector}. "
        "{first_name} va se renseigner sur deux métiers d'ici le prochain "
        "rendez-vous.",
        ("in_person", "video"),
    ),
    Template(
        "CV et lettre de motivation",
        "Relecture du CV avec {first_name} : ajout du job étudiant et des langues, "
        "mise en page simplifiée. Lettre de motivation à finaliser pour l'offre de "
        "{job}.",
    ),
    Template(
        "Inscription chez Actiris",
        "{first_name} n'est pas encore inscrit·e chez Actiris. Explication des "
        "démarches et du stage d'insertion professionnelle. Inscription faite en "
        "ligne pendant l'entretien.",
        ("in_person", "video"),
    ),
    Template(
        "Recherche de formation",
        "Recherche de formations qualifiantes en {field} chez Bruxelles Formation. "
        "Séance d'information {weekday} prochain ; {first_name} s'y inscrit.",
    ),
    Template(
        "Reprise d'études",
        "{first_name} souhaite obtenir le CESS. Présentation du jury de la "
        "Fédération Wallonie-Bruxelles et des cours du soir en promotion sociale. À "
        "réfléchir selon les horaires de travail.",
    ),
    Template(
        "Équivalence de diplôme",
        "Diplôme obtenu à l'étranger : explication de la procédure d'équivalence. "
        "Documents à rassembler : diplôme et relevés de notes traduits. On se "
        "revoit quand le dossier est complet.",
    ),
    Template(
        "Suivi téléphonique",
        "Appel de suivi. {first_name} a participé à la séance d'information et "
        "attend la date des tests d'entrée pour la formation de {training}.",
        ("phone",),
    ),
    Template(
        "Pas de nouvelles",
        "Deux appels sans réponse. Message vocal laissé et e-mail envoyé pour "
        "proposer un nouveau rendez-vous.",
        ("phone", "email"),
    ),
    Template(
        "Rendez-vous manqué",
        "{first_name} ne s'est pas présenté·e au rendez-vous de {weekday}. SMS "
        "envoyé, à recontacter la semaine prochaine.",
        ("phone",),
    ),
    Template(
        "Après l'atelier",
        "Après l'atelier « {workshop} », {first_name} demande un entretien "
        "individuel pour parler de son projet.",
        ("collective",),
    ),
    Template(
        "Préparation à l'entretien d'embauche",
        "Simulation d'entretien pour le poste de {job} ({employer}). Travail sur la "
        "présentation et les questions difficiles. {first_name} se sent plus "
        "prêt·e.",
        ("in_person", "video"),
    ),
    Template(
        "Recherche de stage",
        "Recherche d'un stage en {field}. Liste d'entreprises établie ensemble ; "
        "{first_name} envoie trois candidatures cette semaine.",
    ),
    Template(
        "Orientation études supérieures",
        "Questions sur les études de {study}. Comparaison haute école / université "
        "et cursus francophone ou néerlandophone. Renvoi vers le Pôle Académique "
        "pour les journées portes ouvertes.",
    ),
    Template(
        "Décrochage scolaire",
        "{first_name} ne va plus en cours depuis plusieurs semaines. On parle des "
        "alternatives : CEFA, formation en alternance, changement d'école. Contact "
        "à prendre avec le service d'accrochage scolaire.",
        ("in_person", "phone"),
    ),
    Template(
        "Formation en alternance",
        "Intérêt pour une formation en alternance en {field}. Infos sur le contrat "
        "d'alternance et sur la recherche d'un patron formateur.",
    ),
    Template(
        "Emploi trouvé",
        "{first_name} a signé un {contract} comme {job} ({employer}). Félicitations "
        "! Point de suivi prévu dans un mois.",
        (),
        "end",
    ),
    Template(
        "Entrée en formation",
        "{first_name} a réussi les tests d'entrée et commence la formation de "
        "{training} le mois prochain.",
        (),
        "end",
    ),
    Template(
        "Démarches administratives",
        "Aide pour compléter la demande d'allocations d'insertion et le formulaire "
        "du CPAS. Copie des documents envoyée par e-mail.",
    ),
    Template(
        "Mobilité",
        "Pas de permis de conduire. Informations sur le permis théorique et sur les "
        "offres accessibles en transports en commun depuis {commune}.",
    ),
    Template(
        "Confiance en soi",
        "{first_name} parle de stress et d'un manque de confiance. Proposition de "
        "participer à l'atelier « Oser parler en public » ; contact avec un service "
        "de santé mentale proposé.",
        ("in_person", "video"),
    ),
    Template(
        "Job étudiant",
        "Recherche d'un job étudiant pour l'été. Conseils pour le CV et les sites "
        "d'offres ; rappel des règles du contrat d'occupation d'étudiant.",
    ),
    Template(
        "Cours de néerlandais",
        "Souhaite améliorer son néerlandais pour le marché de l'emploi bruxellois. "
        "Renvoi vers les cours de langue et le test de niveau.",
    ),
    Template(
        "Projet d'entreprise",
        "Envie de se lancer comme indépendant·e en {field}. Présentation des "
        "structures d'accompagnement à la création d'activité et des coopératives "
        "d'activités.",
    ),
    Template(
        "Question par tchat",
        "Question sur les conditions d'accès à la formation de {training}. Réponse "
        "avec le lien vers la prochaine séance d'information.",
        ("chat",),
    ),
    Template(
        "Offre d'emploi transmise",
        "Envoi d'une offre de {job} ({employer}) qui correspond au profil. "
        "{first_name} confirme avoir postulé.",
        ("email",),
    ),
    Template(
        "Suivi de formation",
        "Point à mi-parcours de la formation de {training} : ça se passe bien, "
        "quelques difficultés en mathématiques. Remédiation proposée.",
    ),
    Template(
        "Validation des compétences",
        "Explication de la validation des compétences pour faire reconnaître "
        "l'expérience de {job} sans diplôme.",
    ),
    Template(
        "Bilan de fin d'accompagnement",
        "Bilan avec {first_name} : objectifs atteints, accompagnement clôturé d'un "
        "commun accord. Rappel qu'on peut revenir à la Cité des métiers à tout "
        "moment.",
        ("in_person", "video", "phone"),
        "end",
    ),
]

NL = [
    Template(
        "Eerste gesprek",
        "Eerste gesprek met {first_name}. Uitleg over de begeleiding en de "
        "groepsactiviteiten. Interesse in {sector_nl}, maar nog geen duidelijk "
        "plan. Volgende stap: interessetest en schoolloopbaan overlopen.",
        ("in_person", "video"),
        "start",
    ),
    Template(
        "Intake en vraagverheldering",
        "{first_name} is gestopt met school en weet niet goed wat nu. Samen de "
        "pistes bekeken: terug naar school, opleiding of werk. Nieuwe afspraak "
        "gemaakt.",
        ("in_person",),
        "start",
    ),
    Template(
        "Interessetest",
        "Interessetest ingevuld. Duidelijke voorkeur voor {sector_nl}. {first_name} "
        "zoekt tegen de volgende afspraak info op over twee beroepen.",
        ("in_person", "video"),
    ),
    Template(
        "Cv en motivatiebrief",
        "Cv van {first_name} nagelezen: studentenjob en talenkennis toegevoegd. "
        "Motivatiebrief voor de vacature als {job_nl} nog af te werken.",
    ),
    Template(
        "Inschrijving bij Actiris",
        "{first_name} is nog niet ingeschreven als werkzoekende. Uitleg over de "
        "inschrijving en de beroepsinschakelingstijd; inschrijving samen online "
        "gedaan.",
        ("in_person", "video"),
    ),
    Template(
        "Opleiding zoeken",
        "Opleidingen in {sector_nl} bij VDAB Brussel en Bruxelles Formation "
        "bekeken. Infosessie volgende {weekday_nl}; {first_name} schrijft zich in.",
    ),
    Template(
        "Telefonische opvolging",
        "Opvolgingsgesprek. {first_name} was op de infosessie en wacht op de datum "
        "van de toelatingsproeven voor de opleiding {training_nl}.",
        ("phone",),
    ),
    Template(
        "Geen nieuws",
        "Twee keer gebeld zonder antwoord. Voicemail ingesproken en e-mail gestuurd "
        "met een voorstel voor een nieuwe afspraak.",
        ("phone", "email"),
    ),
    Template(
        "Na de workshop",
        "Na de workshop “{workshop_nl}” vraagt {first_name} een individueel gesprek "
        "over de studiekeuze.",
        ("collective",),
    ),
    Template(
        "Sollicitatietraining",
        "Sollicitatiegesprek geoefend voor de job als {job_nl}. Gewerkt op de "
        "voorstelling en moeilijke vragen.",
        ("in_person", "video"),
    ),
    Template(
        "Stage zoeken",
        "Op zoek naar een stage in {sector_nl}. Samen een lijst met bedrijven "
        "gemaakt; {first_name} stuurt deze week drie sollicitaties.",
    ),
    Template(
        "Studiekeuze hoger onderwijs",
        "Vragen over een opleiding {study_nl}. Hogeschool en universiteit "
        "vergeleken, Nederlandstalig of Franstalig. Doorverwezen naar de "
        "opendeurdagen.",
    ),
    Template(
        "Schoolmoeheid",
        "{first_name} gaat al weken niet meer naar school. Alternatieven besproken: "
        "duaal leren, deeltijds onderwijs, een andere school. Contact opnemen met "
        "het CLB.",
        ("in_person", "phone"),
    ),
    Template(
        "Werk gevonden",
        "{first_name} heeft een contract getekend als {job_nl}. Proficiat! "
        "Opvolging over een maand.",
        (),
        "end",
    ),
    Template(
        "Start opleiding",
        "{first_name} is geslaagd voor de toelatingsproeven en start volgende maand "
        "met de opleiding {training_nl}.",
        (),
        "end",
    ),
    Template(
        "Administratie",
        "Geholpen met de aanvraag van een inschakelingsuitkering en de documenten "
        "voor het OCMW.",
    ),
    Template(
        "Frans bijleren",
        "Wil zijn/haar Frans verbeteren voor de Brusselse arbeidsmarkt. "
        "Doorverwezen naar taallessen en een niveautest.",
    ),
    Template(
        "Vraag via chat",
        "Vraag over de toelatingsvoorwaarden van de opleiding {training_nl}. Link "
        "naar de volgende infosessie doorgestuurd.",
        ("chat",),
    ),
    Template(
        "Vacature doorgestuurd",
        "Vacature als {job_nl} doorgestuurd die bij het profiel past. {first_name} "
        "heeft gesolliciteerd.",
        ("email",),
    ),
    Template(
        "Afsluitend gesprek",
        "Eindgesprek met {first_name}: doelen bereikt, begeleiding in onderling "
        "akkoord afgesloten. Welkom om later terug te komen.",
        ("in_person", "video", "phone"),
        "end",
    ),
]

FILLERS = {
    "sector": [
        "la logistique", "l'horeca", "la construction", "les soins de santé",
        "l'informatique", "la vente", "l'animation", "la petite enfance",
        "l'électricité", "la mécanique automobile", "la coiffure", "le secrétariat",
    ],
    "field": [
        "logistique", "horeca", "construction", "soins de santé", "informatique",
        "vente", "animation", "petite enfance", "électricité", "mécanique automobile",
        "coiffure", "secrétariat",
    ],
    "job": [
        "magasinier·ère", "commis de cuisine", "aide-soignant·e", "vendeur·se",
        "électricien·ne", "développeur·se web", "animateur·rice", "réceptionniste",
        "agent·e d'accueil", "chauffeur-livreur",
    ],
    "employer": [
        "supermarché à Anderlecht", "entreprise de nettoyage", "hôtel du centre-ville",
        "crèche communale", "société de logistique à Haren", "boulangerie à Schaerbeek",
        "garage à Forest", "maison de repos à Uccle", "agence d'intérim",
    ],
    "training": [
        "aide-soignant·e", "magasinier·ère cariste", "développeur·se web",
        "commis de cuisine", "électricien·ne résidentiel·le", "agent·e d'accueil",
        "technicien·ne PC-réseaux", "employé·e administratif·ve",
    ],
    "workshop": [
        "Fin de secondaire et après ?",
        "Études supérieures en Belgique : cursus néerlandophone ou francophone ?",
        "Devenir infirmier·e", "Devenir enseignant·e", "Trouve ta voix/e",
        "Mon CV en une heure", "Les métiers STEM",
    ],
    "study": [
        "soins infirmiers", "informatique", "droit", "instituteur·rice primaire",
        "comptabilité", "marketing", "ingénieur industriel", "assistant social",
    ],
    "contract": [
        "CDD de six mois", "CDI", "contrat d'intérim", "contrat à temps partiel",
    ],
    "weekday": ["lundi", "mardi", "mercredi", "jeudi", "vendredi"],
    "sector_nl": [
        "de logistiek", "de horeca", "de bouw", "de zorg", "IT", "de verkoop",
        "de kinderopvang", "elektriciteit", "autotechniek", "administratie",
    ],
    "job_nl": [
        "magazijnier", "hulpkok", "zorgkundige", "verkoper", "elektricien",
        "webontwikkelaar", "onthaalmedewerker", "chauffeur",
    ],
    "training_nl": [
        "zorgkundige", "heftruckchauffeur", "webontwikkelaar", "keukenmedewerker",
        "residentieel elektricien", "administratief medewerker",
    ],
    "workshop_nl": [
        "Hoger onderwijs in België: Nederlandstalig of Franstalig?",
        "Mijn cv in één uur", "STEM-beroepen", "Na het secundair?",
    ],
    "study_nl": [
        "verpleegkunde", "toegepaste informatica", "rechten", "lager onderwijs",
        "bedrijfsmanagement", "sociaal werk",
    ],
    "weekday_nl": ["maandag", "dinsdag", "woensdag", "donderdag", "vrijdag"],
}  # fmt: skip


def note_language(rng: random.Random, name_language: str) -> str:
    """Advisors write in the language of the conversation."""
    if name_language == "nl":
        return "nl" if rng.random() < 0.85 else "fr"
    return "fr" if rng.random() < 0.95 else "nl"


def pick_template(rng: random.Random, language: str, stage: str = "any") -> Template:
    templates = NL if language == "nl" else FR
    if stage in ("start", "end") and rng.random() < 0.7:
        staged = [t for t in templates if t.stage == stage]
        if staged:
            return rng.choice(staged)
    return rng.choice([t for t in templates if t.stage == "any"])


def pick_channel(
    rng: random.Random, template: Template, weights: dict[str, float]
) -> str:
    if template.channels:
        return rng.choice(template.channels)
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def render(
    rng: random.Random, template: Template, first_name: str, commune: str
) -> tuple[str, str]:
    """(topic, text) with the blanks filled."""
    values = {key: rng.choice(options) for key, options in FILLERS.items()}
    values.update(first_name=first_name, commune=commune)
    return template.topic, template.text.format(**values)

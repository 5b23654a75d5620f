"""Language cues for person names: titles, self-introductions, relations, verbs of saying,
and words that are capitalised often but are never names in these stories.

All entries are lower case; matching is on ``str.casefold()`` of a token.
"""

from __future__ import annotations


def words(text: str) -> frozenset[str]:
    """The whitespace-separated words of ``text`` (keeps long word lists readable)."""
    return frozenset(text.split())


# Titles and forms of address directly before a name: "Mr Smith", "rouva Virtanen".
TITLES: frozenset[str] = words("""
    mr mrs ms miss mx dr prof sir madam dame lady lord
    herra rouva neiti tohtori hra rva professori maisteri
    herr fru fröken doktor dr
    herrn frau fräulein doktor
    """)

# Word sequences that introduce a name: "my name is", "nimeni on", "ich heiße". Any
# capitalised word after one of these is taken as a name.
INTRODUCTIONS: tuple[tuple[str, ...], ...] = tuple(
    tuple(phrase.split())
    for phrase in (
        "my name is",
        "name is",
        "named",
        "called",
        "call me",
        "nimeni on",
        "nimeltä",
        "nimeltään",
        "jag heter",
        "heter",
        "mitt namn är",
        "ich heiße",
        "heiße",
        "heißt",
        "ich heisse",
        "mein name ist",
        "name ist",
        "namens",
    )
)

# Weaker introductions ("I am", "olen", "ich bin"): also precede jobs and states ("ich bin
# Rentner"), so they only confirm a word the gazetteer already knows as a name.
WEAK_INTRODUCTIONS: tuple[tuple[str, ...], ...] = tuple(
    tuple(phrase.split()) for phrase in ("i am", "i'm", "olen", "minä olen", "jag är", "ich bin")
)

# Relations and roles directly before a name: "my neighbour Anna", "naapurini Pekka".
RELATIONS: frozenset[str] = words("""
    neighbour neighbor friend son daughter wife husband partner mother father mum mom dad
    brother sister colleague nurse teacher grandson granddaughter grandmother grandfather
    grandma grandpa caretaker aunt uncle cousin boss manager librarian driver
    naapuri naapurini ystävä ystäväni poika poikani tytär tyttäreni vaimo vaimoni mies mieheni
    äiti äitini isä isäni veli veljeni sisko siskoni kollega kollegani opettaja hoitaja
    hoitajamme lääkäri isännöitsijä lapsenlapseni mummo mummoni pappa pappani ukki ukkini
    täti tätini setä setäni kirjastonhoitaja kuljettaja esimies esimieheni
    grannen granne grannen vännen vän väninnan sonen dottern frun mannen mamma pappa
    brodern systern kollegan läraren sköterskan mormor morfar farmor farfar chefen
    kuratorn bibliotekarien chauffören
    nachbar nachbarin freund freundin sohn tochter mann mutter vater bruder schwester
    kollege kollegin lehrer lehrerin enkel enkelin hausmeister hausmeisterin oma opa
    tante onkel chef chefin pfleger pflegerin busfahrer busfahrerin bibliothekarin
    principal headteacher head mayor councillor officer director caseworker
    rehtori pormestari valtuutettu kunnanjohtaja johtaja virkailija sosiaalityöntekijä
    rektor rektorn borgmästare handläggare handläggaren direktör
    direktor direktorin rektorin bürgermeister bürgermeisterin beamtin beamter
    sachbearbeiter sachbearbeiterin
    """)

# Verbs of saying next to a name: "Anna said", "kertoi Pekka", "säger Johan", "sagte Jan".
SAYING: frozenset[str] = words("""
    said says told tells asked asks explained explains added adds wrote replied
    recalls remembers recalled remembered
    sanoi sanoo kertoi kertoo totesi toteaa kysyi kysyy muistelee muisteli selitti selittää
    vastasi vastaa kirjoitti huomautti huomauttaa
    säger sa sade berättar berättade frågade frågar förklarade förklarar skrev menar
    minns svarade
    sagte sagt sagen erzählt erzählte erklärt erklärte meint meinte fragte fragt schrieb
    berichtet berichtete antwortete
    """)

# Capitalised words that sit next to names in stories but are not names themselves; they
# are removed from the gazetteer at build time (names-dataset lists "Frau", "Hei", "Olen"
# among popular first names because of noisy social-media sources).
NEVER_NAMES: frozenset[str] = words("""
    the a an and or but if when then this that these those there here he she they we you it
    his her their our my your hello hi hey dear thanks thank yes no not also mr mrs ms miss
    sir dr st saint street road avenue city town council library school hospital bus station
    park centre center church bank hall office service services team group club
    monday tuesday wednesday thursday friday saturday sunday
    january february march july september october november december
    ja tai mutta kun jos niin se ne hän he me te minä sinä olen olet oli ovat on ei kyllä
    hei moi moikka terve kiitos herra rouva neiti tohtori kaupunki kunta kirjasto koulu
    sairaala asema bussi kirkko pankki
    maanantai tiistai keskiviikko torstai perjantai lauantai sunnuntai
    tammikuu helmikuu maaliskuu huhtikuu toukokuu kesäkuu heinäkuu elokuu syyskuu lokakuu
    marraskuu joulukuu
    och eller men när om så den det de han hon vi ni jag du är var inte ja nej hej tack
    herr fru fröken stad kommun bibliotek skola sjukhus buss kyrka
    måndag tisdag onsdag torsdag fredag lördag söndag
    januari februari mars maj juli
    und oder aber wenn dann der die das ein eine er sie wir ihr ich du ist war nicht nein
    hallo danke herr herrn frau fräulein stadt gemeinde bibliothek schule krankenhaus kirche
    montag dienstag mittwoch donnerstag freitag samstag sonntag
    januar februar märz oktober dezember
    english british irish scottish welsh finnish swedish german dutch polish spanish
    italian french danish norwegian estonian european american african asian
    minun sinun hänen meidän teidän heidän tämä tämän tuo tuon nämä niiden koska vaikka
    kela hsl posti vero yle traficom migri
    försäkringskassan skatteverket migrationsverket arbetsförmedlingen
    jobcenter finanzamt bürgeramt
    """)

# Capitalised words that make a run of capitalised words an institution, not a person:
# "St Mary's Hospital", "Anna Lindh -koulu" is still caught by the hyphen rule below.
INSTITUTION_WORDS: frozenset[str] = words("""
    hospital school library centre center church university college station bank council
    hall museum park street road avenue lane foundation association society trust gmbh ag
    oy ab ltd inc kirjasto koulu sairaala kirkko yliopisto asema keskus säätiö yhdistys
    bibliotek skola sjukhus kyrka universitet station stiftelse förening
    bibliothek schule krankenhaus kirche universität bahnhof stiftung verein
    """)

# Name particles that may sit inside a name: "Ludwig van Beethoven", "Ursula von der Leyen".
PARTICLES: frozenset[str] = words("van von der den de af da di du la le del zu")

# Months that are also names ("May", "June", "August"): names only with context.
AMBIGUOUS_EVERYWHERE: frozenset[str] = words("may june august april augusti juni mai")

# Popular first or last names that are also everyday words in a language; in that
# language they are names only with context (a title, a saying verb, a full name). The
# simplemma lexicons add more at build time for languages whose lexicon separates proper
# nouns; Finnish's does not (it inflects "mikko" like a noun), so Finnish relies on this.
COMMON_WORD_NAMES: dict[str, frozenset[str]] = {
    "fi": words("""
        anna satu onni toivo tuuli lumi sini armas into virta koivu kivi lahti helmi kari
        aamu ilta valo usko rauha lempi sulo aarne ahti tähti taimi kukka ruusu lilja
        kulta mansikki kettu karhu susi joki järvi niemi mäki salo laine aalto ranta saari
        vuori harju nurmi kallio metsä pelto kauppa kesä talvi kevät syksy paju tammi vaara
        olen oli moi hei mutta kun sitten kaikki tänään eilen huomenna nyt
        """),
    "sv": words("""
        berg lund ström sten björk ek dahl holm strand sjö kvist blom lind gran kvarn
        hans karl vilja ville maj sol dag
        """),
    "en": words("""
        will mark bill rose hope grace may june august page summer baker smith cook
        carpenter mason fisher hunter ward bishop dean rich joy faith amber penny
        """),
    "de": words("""
        will mark kohl bauer fischer müller schneider weber meyer wagner becker schulz
        hoffmann koch richter klein wolf neumann schwarz braun hofmann hartmann lange
        werner krause lehmann schmid könig walter huber kaiser fuchs peters lang jung hahn
        vogel friedrich keller günther frank berger winkler roth beck lorenz baumann
        franke albrecht ludwig simon böhm winter kraus martin schumacher krüger stein
        jäger otto sommer groß seidel heinrich brandt haas schreiber graf
        """),
}

# Pronouns and quantifiers that names-dataset also lists as names ("Ingen", "Alle",
# "Joku") or that Finnish ending-stripping turns into one ("Toinen" → "Toini"). Alone
# they are never a name: publishing "[Person 1] kom" for "Ingen kom" ("nobody came")
# reverses the sentence. Inside a full name ("Matti Toinen") they still may be one.
NOT_NAMES_ALONE: dict[str, frozenset[str]] = {
    "sv": words("""
        ingen inget inga alla allt många man någon något några varje var vem vilken
        annan andra båda ingenting allihop själv
        """),
    "fi": words("""
        toinen toiset kaikki joku jokin moni monet eräs muutama kukaan kuka mikään jokainen
        jompikumpi molemmat kumpikin itse toista toisen toiselle toisella kaikille
        """),
    "de": words("""
        niemand niemandem jemand jemanden keiner keine keinen alle allen jeder jede
        manche mancher viele beide man irgendwer
        """),
    "en": words("""
        nobody somebody someone anyone anybody everyone everybody noone none all many
        each either neither another others
        """),
}

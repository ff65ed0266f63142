"""What each fixture listing page holds: (title, link path and query, date in Berlin).

Written from the fixture pages by hand; the presets and the heuristic must both
find exactly these items.
"""

IKISS_PAGE = "presse/ikiss/Pressemitteilungen.php"
IKISS_PAGE_2 = IKISS_PAGE + "?NavID=2527.22&max=4&skip=4"
_IKISS = (
    "/presse/ikiss/Pressemitteilungen/{}.php"
    "?object=tx,2527.{}.1&ModID=7&FID=2527.{}.1&NavID=2527.22&La=1"
)

TYPO3_PAGE = "presse/typo3-news/aktuelles/pressemitteilungen/"
TYPO3_PAGE_2 = TYPO3_PAGE + "?tx_news_pi1%5BcurrentPage%5D=2&cHash=9f8e7d6c5b4a3921"
_TYPO3 = "/presse/typo3-news/aktuelles/pressemitteilungen/"

WEBLICATION_PAGE = "presse/weblication/de/aktuelles/pressemitteilungen.php"
WEBLICATION_PAGE_2 = WEBLICATION_PAGE + "?wlist=presse&wListPage=2"
WEBLICATION_PAGE_3 = WEBLICATION_PAGE + "?wlist=presse&wListPage=2&wlist=presse&wListPage=3"
_WEBLICATION = "/de/aktuelles/pressemitteilungen/"

NOLIS_PAGE = "presse/nolis/portal/seiten/pressemitteilungen-901000123-20350.html"
NOLIS_PAGE_2 = NOLIS_PAGE + "?js=1&seite=2"

ARCHIVE_PAGE = "presse/archiv/pressemitteilungen/2019/august/index.php"
ARCHIVE_PAGE_2 = "presse/archiv/pressemitteilungen/2019/juli/index.php"
_ARCHIVE = "/presse/archiv/pressemitteilungen/2019/"

CARDS_PAGE = "presse/karten/aktuelles/"
CARDS_PAGE_2 = "presse/karten/aktuelles/seite-2.html"
TABLE_PAGE = "presse/tabelle/pressearchiv.html"
TABLE_PAGE_2 = "presse/tabelle/pressearchiv-2.html"

SPREE_NEISSE_PAGE = "presse/spree-neisse/aktuelles/pressearchiv.html"
RELAUNCH_PAGE = "presse/typo3-news/relaunch/"

# fmt: off
EXPECTED = {
    IKISS_PAGE: [
        ("Jobcenter Vorpommern-Rügen zieht Bilanz der Aktionswoche",
         _IKISS.format(
             "Jobcenter-Vorpommern-Ruegen-zieht-Bilanz-der-Aktionswoche", "10160", "11870"
         ),
         "2019-08-29T00:00:00+02:00"),
        ("„Stark. Sozial. Vor Ort.“ – Jobcenter öffnet seine Türen",
         _IKISS.format("Stark-Sozial-Vor-Ort-Jobcenter-oeffnet-seine-Tueren", "10148", "11862"),
         "2019-08-26T00:00:00+02:00"),
        ("Fährverbindung Stahlbrode–Glewitz wieder in Betrieb",
         _IKISS.format("Faehrverbindung-Stahlbrode-Glewitz-wieder-in-Betrieb", "10131", "11850"),
         "2019-08-21T00:00:00+02:00"),
        ("Kreistag wählt neuen Sozialdezernenten",
         _IKISS.format("Kreistag-waehlt-neuen-Sozialdezernenten", "10120", "11841"),
         "2019-08-19T00:00:00+02:00"),
    ],
    IKISS_PAGE_2: [
        ("Ausbildungsmesse in Stralsund: 60 Betriebe stellen sich vor",
         _IKISS.format("Ausbildungsmesse-in-Stralsund", "10101", "11830"),
         "2019-08-14T00:00:00+02:00"),
        ("Schulbuslinien zum neuen Schuljahr angepasst",
         _IKISS.format("Schulbuslinien-zum-neuen-Schuljahr", "10087", "11822"),
         "2019-08-07T00:00:00+02:00"),
    ],
    TYPO3_PAGE: [
        ("Pro Arbeit beteiligt sich an bundesweiter Aktionswoche",
         _TYPO3 + "details/news-pro-arbeit-aktionswoche-2019", "2019-08-23T00:00:00+02:00"),
        ("Landrat besucht Qualifizierungsprojekt in Neu-Isenburg",
         _TYPO3 + "?tx_news_pi1[action]=detail&tx_news_pi1[controller]=News"
         "&tx_news_pi1[news]=2981&cHash=5e1c0b7d4a3f2e19", "2019-08-28T00:00:00+02:00"),
        ("Kreisstraße zwischen Egelsbach und Langen gesperrt",
         _TYPO3 + "details/news-kreisstrasse-egelsbach-langen-gesperrt",
         "2019-08-20T00:00:00+02:00"),
        ("Neue Kita-Fachberatung im Kreishaus",
         _TYPO3 + "details/news-kita-fachberatung", "2019-08-16T00:00:00+02:00"),
    ],
    TYPO3_PAGE_2: [
        ("Ferienspiele 2019: Anmeldung ab sofort möglich",
         _TYPO3 + "details/news-ferienspiele-2019", "2019-08-09T00:00:00+02:00"),
        ("Kostenlose Energieberatung für Haushalte mit geringem Einkommen",
         _TYPO3 + "details/news-energieberatung", "2019-08-02T00:00:00+02:00"),
    ],
    WEBLICATION_PAGE: [
        ("Aktionswoche: Jobcenter Landkreis Göttingen lädt zum Arbeitgebertag",
         _WEBLICATION + "jobcenter-goettingen-aktionswoche-2019.php", "2019-08-27T00:00:00+02:00"),
        ("Neue Sprechtage im Kreishaus Osterode",
         _WEBLICATION + "kreishaus-osterode-sprechtage.php", "2019-08-22T00:00:00+02:00"),
        ("Aktionswoche Suchtprävention an Berufsschulen",
         _WEBLICATION + "aktionswoche-suchtpraevention.php", "2019-08-20T00:00:00+02:00"),
    ],
    WEBLICATION_PAGE_2: [
        ("Radweg bei Hann. Münden freigegeben",
         _WEBLICATION + "radweg-hann-muenden.php", "2019-08-15T00:00:00+02:00"),
        ("Integrationskurse im Herbst: noch Plätze frei",
         _WEBLICATION + "integrationskurse-herbst.php", "2019-08-12T00:00:00+02:00"),
    ],
    NOLIS_PAGE: [
        ("Aktionswoche der kommunalen Jobcenter im Emsland",
         "/portal/meldungen/aktionswoche-der-kommunalen-jobcenter-im-emsland-901004416-20350.html",
         "2019-08-30T00:00:00+02:00"),
        ("Impfaktion im Gesundheitsamt",
         "/portal/meldungen/impfaktion-im-gesundheitsamt-901004410-20350.html",
         "2019-08-27T00:00:00+02:00"),
        ("Jobcenter zieht Halbjahresbilanz",
         "/portal/meldungen/emsland-jobcenter-bilanz-erstes-halbjahr-901004398-20350.html",
         "2019-08-23T00:00:00+02:00"),
    ],
    NOLIS_PAGE_2: [
        ("Sanierung von Kreisstraßen schreitet voran",
         "/portal/meldungen/kreisstrassen-sanierung-2019-901004377-20350.html",
         "2019-08-16T00:00:00+02:00"),
        ("Ehrenamtspreis ausgeschrieben",
         "/portal/meldungen/ehrenamtspreis-ausgeschrieben-901004360-20350.html",
         "2019-08-09T00:00:00+02:00"),
    ],
    ARCHIVE_PAGE: [
        ("GGFA zieht positive Bilanz der Aktionswoche „Stark. Sozial. Vor Ort.“",
         _ARCHIVE + "august/ggfa-aktionswoche-bilanz.php", "2019-08-30T00:00:00+02:00"),
        ("Oberbürgermeister besucht Beschäftigungsbetriebe der GGFA",
         _ARCHIVE + "august/oberbuergermeister-besucht-ggfa.php", "2019-08-28T00:00:00+02:00"),
        ("Ordnungsamt: ruhige Bilanz nach der Sommerpause",
         _ARCHIVE + "august/bergkirchweih-bilanz.php", "2019-08-19T00:00:00+02:00"),
        ("Stadtbücherei: geänderte Öffnungszeiten in den Sommerferien",
         _ARCHIVE + "august/stadtbuecherei-sommerferien.php", "2019-08-08T00:00:00+02:00"),
        ("Europäische Mobilitätswoche: Aktionswoche Mobilität mit Radparcours",
         _ARCHIVE + "august/aktionswoche-mobilitaet.php", "2019-08-02T00:00:00+02:00"),
    ],
    ARCHIVE_PAGE_2: [
        ("GGFA legt Jahresbericht 2018 vor",
         _ARCHIVE + "juli/ggfa-jahresbericht-2018.php", "2019-07-24T00:00:00+02:00"),
        ("Hitzeschutz in städtischen Kitas",
         _ARCHIVE + "juli/hitzeschutz-kitas.php", "2019-07-11T00:00:00+02:00"),
    ],
    CARDS_PAGE: [
        ("Ortenau Jobcenter stellt sich vor: Aktionswoche in Offenburg und Lahr",
         "/aktuelles/2019/ortenau-jobcenter-aktionswoche", "2019-08-26T11:00:00+02:00"),
        ("Schulsozialarbeit wird ausgebaut",
         "/aktuelles/2019/schulsozialarbeit-ausgebaut", "2019-08-22T00:00:00+02:00"),
        ("Abfallkalender jetzt als App",
         "/aktuelles/2019/abfallkalender-app", "2019-08-15T00:00:00+02:00"),
    ],
    CARDS_PAGE_2: [
        ("Wohngeld: Was sich 2020 ändert", "/aktuelles/2019/wohngeld-reform",
         "2019-08-08T00:00:00+02:00"),
        ("Ausbildungsstart im Landratsamt", "/aktuelles/2019/ausbildungsstart",
         "2019-08-01T00:00:00+02:00"),
    ],
    TABLE_PAGE: [
        ("Jobcenter Hameln-Pyrmont: Tag der offenen Tür im Rahmen der Aktionswoche",
         "/presse/pm_2019_112.htm", "2019-08-29T00:00:00+02:00"),
        ("Kommunale Jobcenter – Stark. Sozial. Vor Ort: Landrätin eröffnet Aktionswoche",
         "/presse/pm_2019_109.htm", "2019-08-26T00:00:00+02:00"),
        ("Bauarbeiten an der Weserbrücke verzögern sich",
         "/presse/pm_2019_105.htm", "2019-08-21T00:00:00+02:00"),
        ("Bundesagentur für Arbeit: Arbeitsmarkt im Juli stabil",
         "/presse/pm_2019_101.htm", "2019-08-14T00:00:00+02:00"),
    ],
    TABLE_PAGE_2: [
        ("Sommerferienprogramm der Kreisjugendpflege", "/presse/pm_2019_096.htm",
         "2019-08-07T00:00:00+02:00"),
        ("Neue Ausbildungsplätze in der Kreisverwaltung besetzt", "/presse/pm_2019_093.htm",
         "2019-08-01T00:00:00+02:00"),
    ],
    SPREE_NEISSE_PAGE: [
        ("Bundesweite Aktionswoche der kommunalen Jobcenter im Jobcenter Spree-Neiße",
         "/presse/spree-neisse/aktuelles/pressearchiv/26291-bundesweite-aktionswoche-der-"
         "kommunalen-jobcenter-im-jobcenter-spree-neisse.html", "2019-08-28T09:15:00+02:00"),
        ("Ehrenamtspreis „Grünes Band“ verliehen – Preisträger aus Döbern und Welzow",
         "/presse/spree-neisse/aktuelles/pressearchiv/26270-gruenes-band-ehrenamtspreis.html",
         "2019-08-26T14:00:00+02:00"),
        ("Schöffenwahl: Bewerbungsfrist endet am 30. September",
         "/presse/spree-neisse/aktuelles/pressearchiv/26244-schoeffenwahl-2019.html",
         "2019-08-21T08:30:00+02:00"),
    ],
}
# fmt: on

PRESET_OF = {
    IKISS_PAGE: "ikiss",
    IKISS_PAGE_2: "ikiss",
    TYPO3_PAGE: "typo3-news",
    TYPO3_PAGE_2: "typo3-news",
    WEBLICATION_PAGE: "weblication",
    WEBLICATION_PAGE_2: "weblication",
    NOLIS_PAGE: "nolis",
    NOLIS_PAGE_2: "nolis",
    ARCHIVE_PAGE: "archive-by-month",
    ARCHIVE_PAGE_2: "archive-by-month",
    CARDS_PAGE: "generic-article",
    CARDS_PAGE_2: "generic-article",
    TABLE_PAGE: "generic-article",
    TABLE_PAGE_2: "generic-article",
}

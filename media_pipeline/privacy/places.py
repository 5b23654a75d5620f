"""Place names that must not be read as person names on their own.

City names alone are not personal data in Tarina (a story's place is kept at municipality
level, see docs/privacy-detection.md), but many are also surnames in names-dataset
("Lahti", "Berlin", "London"). The gazetteer marks these as places, so that a lone
"Lahti" stays, while "Mikael Lahti" or "herra Lahti" is still a name. This hand list
complements the town names taken from phonenumbers' geocoding data at build time, which
covers Germany, Sweden and the UK well but Finland hardly at all.
"""

from __future__ import annotations

from media_pipeline.privacy.cues import words

PLACES: frozenset[str] = words("""
    Helsinki Espoo Tampere Vantaa Oulu Turku Jyväskylä Lahti Kuopio Pori Kouvola Joensuu
    Lappeenranta Hämeenlinna Vaasa Seinäjoki Rovaniemi Mikkeli Kotka Salo Porvoo Kokkola
    Hyvinkää Lohja Järvenpää Rauma Kajaani Kerava Savonlinna Nokia Kangasala Riihimäki
    Imatra Raahe Kemi Tornio Iisalmi Varkaus Hamina Heinola Forssa Kirkkonummi Tuusula
    Nurmijärvi Sipoo Raisio Kaarina Naantali Loviisa Kauniainen Ylöjärvi Pirkkala Lempäälä
    Valkeakoski Sastamala Uusikaupunki Parainen Pietarsaari Uusimaa Pirkanmaa Lappi
    Kainuu Karjala Savo Häme Pohjanmaa Ahvenanmaa Maarianhamina Inari Utsjoki Kittilä
    Sodankylä Kuusamo Kemijärvi Kallio Kamppi Töölö Itäkeskus Malmi Tikkurila Leppävaara
    Tapiola Hervanta Kaleva Suomi Ruotsi Saksa Viro Norja Tanska Venäjä Eurooppa
    Stockholm Göteborg Malmö Uppsala Västerås Örebro Linköping Helsingborg Jönköping
    Norrköping Lund Umeå Gävle Borås Södertälje Eskilstuna Halmstad Växjö Karlstad Sundsvall
    Luleå Östersund Trollhättan Kalmar Kiruna Visby Falun Skövde Karlskrona Kristianstad
    Uddevalla Skellefteå Örnsköldsvik Borlänge Sverige Finland Norge Danmark Tyskland
    Åbo Helsingfors Tammerfors Vasa Esbo Vanda Borgå Jakobstad Karleby Mariehamn Ekenäs
    Raseborg Kimito Pargas Nykarleby Närpes Kristinestad Kaskö Lovisa Kyrkslätt Sibbo
    Berlin Hamburg München Köln Frankfurt Stuttgart Düsseldorf Dortmund Essen Leipzig
    Bremen Dresden Hannover Nürnberg Duisburg Bochum Wuppertal Bielefeld Bonn Münster
    Karlsruhe Mannheim Augsburg Wiesbaden Gelsenkirchen Mönchengladbach Braunschweig
    Chemnitz Kiel Aachen Halle Magdeburg Freiburg Krefeld Lübeck Oberhausen Erfurt Mainz
    Rostock Kassel Hagen Potsdam Saarbrücken Hamm Ludwigshafen Oldenburg Osnabrück
    Leverkusen Heidelberg Darmstadt Regensburg Würzburg Ingolstadt Ulm Wolfsburg Göttingen
    Jena Trier Marburg Tübingen Konstanz Passau Bamberg Bayreuth Schwerin Weimar Neukölln
    Kreuzberg Spandau Pankow Deutschland Bayern Sachsen Hessen Österreich Wien Graz Linz
    Salzburg Innsbruck Schweiz Zürich Bern Basel Genf Luzern
    London Manchester Birmingham Leeds Liverpool Sheffield Bristol Newcastle Nottingham
    Leicester Glasgow Edinburgh Cardiff Belfast Dublin Cork Galway Limerick Oxford
    Cambridge Brighton York Bath Leicester Coventry Bradford Hull Plymouth Derby Norwich
    Southampton Portsmouth Exeter Swansea Aberdeen Dundee Inverness Reading Luton Wigan
    Bolton Stockport Salford Croydon Hackney Camden Islington Brixton Kent Surrey Essex
    Yorkshire Lancashire Devon Cornwall England Scotland Wales Ireland Britain
    Paris Rome Madrid Barcelona Lisbon Amsterdam Rotterdam Brussels Antwerp Copenhagen
    Oslo Bergen Tallinn Tartu Riga Vilnius Warsaw Krakow Prague Vienna Budapest Athens
    Milan Naples Florence Venice Munich Cologne Gothenburg Europe Finland Sweden Germany
    Estonia Norway Denmark Poland Spain Italy France Netherlands Belgium Austria
    Switzerland Portugal Greece Ukraine Russia Syria Somalia Iraq Afghanistan Africa Asia
    America Europa Afrika Asien Amerika
    """)

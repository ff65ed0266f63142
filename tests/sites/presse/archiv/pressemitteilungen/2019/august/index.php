<!DOCTYPE html>
<html lang="de">
<head><meta charset="utf-8"><title>Pressemitteilungen August 2019 – Stadt Erlangen</title></head>
<body>
<div class="kopf">
  <ul class="menu">
    <li><a href="/rathaus/">Rathaus</a></li>
    <li><a href="/pressemitteilungen/">Presse</a></li>
    <li><a href="/ggfa/">GGFA – Kommunales Jobcenter</a></li>
  </ul>
</div>
<div class="inhalt">
  <h1>Pressemitteilungen – Archiv August 2019</h1>
  <div class="monatsarchiv">
    <h2>Zweite Monatshälfte</h2>
    <ul>
      <li><a href="/presse/archiv/pressemitteilungen/2019/august/ggfa-aktionswoche-bilanz.php">30.08.2019 – GGFA zieht positive Bilanz der Aktionswoche „Stark. Sozial. Vor Ort.“</a></li>
      <li><a href="/presse/archiv/pressemitteilungen/2019/august/oberbuergermeister-besucht-ggfa.php">28.08.2019 – Oberbürgermeister besucht Beschäftigungsbetriebe der GGFA</a></li>
      <li><a href="/presse/archiv/pressemitteilungen/2019/august/bergkirchweih-bilanz.php">19.08.2019 – Ordnungsamt: ruhige Bilanz nach der Sommerpause</a></li>
    </ul>
    <h2>Erste Monatshälfte</h2>
    <ul>
      <li><a href="/presse/archiv/pressemitteilungen/2019/august/stadtbuecherei-sommerferien.php">08.08.2019 – Stadtbücherei: geänderte Öffnungszeiten in den Sommerferien</a></li>
      <li><a href="/presse/archiv/pressemitteilungen/2019/august/aktionswoche-mobilitaet.php">02.08.2019 – Europäische Mobilitätswoche: Aktionswoche Mobilität mit Radparcours</a></li>
    </ul>
  </div>
  <p class="archivnavigation">
    <a class="archiv-vorher" rel="prev" href="/presse/archiv/pressemitteilungen/2019/juli/index.php">« Juli 2019</a>
  </p>
  <div class="weitere">
    <h3>Weitere Meldungen</h3>
    <ul>
      <li><a href="/pressemitteilungen/abonnieren.php">Pressemitteilungen abonnieren</a></li>
      <li><a href="/pressemitteilungen/fotos.php">Pressefotos</a></li>
    </ul>
  </div>
</div>
<div class="fuss">© Stadt Erlangen 2019 · <a href="/impressum.php">Impressum</a></div>
</body>
</html>

<!DOCTYPE html>
<html lang="de">
<head>
<meta charset="utf-8">
<title>Pressemitteilungen / Landkreis Vorpommern-Rügen</title>
<link rel="stylesheet" href="/layout/css/styles.css">
</head>
<body>
<a class="skip" href="#inhalt">Zum Inhalt springen</a>
<header id="kopf">
  <a href="/" class="logo"><img src="/layout/img/logo.png" alt="Landkreis Vorpommern-Rügen"></a>
  <nav id="navigation">
    <ul class="nav">
      <li><a href="/Landkreis/">Landkreis</a></li>
      <li><a href="/Buergerservice/">Bürgerservice</a></li>
      <li class="active"><a href="/Presse/">Presse</a></li>
      <li><a href="/Jobcenter/">Jobcenter</a></li>
    </ul>
  </nav>
</header>
<div id="brotkrumen"><a href="/">Startseite</a> &gt; <a href="/Presse/">Presse</a> &gt; Pressemitteilungen</div>
<main id="inhalt">
  <h1>Pressemitteilungen</h1>
  <form class="filter" action="Pressemitteilungen.php" method="get">
    <select name="jahr"><option value="2019" selected>2019</option><option value="2018">2018</option></select>
    <select name="monat"><option value="">alle Monate</option><option value="8">August</option></select>
    <input type="hidden" name="max" value="4"><button type="submit">Filtern</button>
  </form>
  <ul class="result-list">
    <li>
      <small class="date"><time datetime="2019-08-29">29.08.2019</time></small>
      <h3 class="list-title"><a href="Pressemitteilungen/Jobcenter-Vorpommern-Ruegen-zieht-Bilanz-der-Aktionswoche.php?object=tx,2527.10160.1&amp;ModID=7&amp;FID=2527.11870.1&amp;NavID=2527.22&amp;La=1" title="Jobcenter Vorpommern-Rügen zieht Bilanz der Aktionswoche">Jobcenter Vorpommern-Rügen zieht Bilanz der Aktionswoche</a></h3>
      <p class="teaser">Rund 400 Besucherinnen und Besucher kamen in dieser Woche in die Standorte Stralsund, Bergen und Grimmen. Landrat und Sozialdezernentin dankten den Beschäftigten für ihren Einsatz während der Aktionswoche …</p>
      <a class="more" href="Pressemitteilungen/Jobcenter-Vorpommern-Ruegen-zieht-Bilanz-der-Aktionswoche.php?object=tx,2527.10160.1&amp;ModID=7&amp;FID=2527.11870.1&amp;NavID=2527.22&amp;La=1" title="Jobcenter Vorpommern-Rügen zieht Bilanz der Aktionswoche">mehr</a>
    </li>
    <li>
      <small class="date"><time datetime="2019-08-26">26.08.2019</time></small>
      <h3 class="list-title"><a href="Pressemitteilungen/Stark-Sozial-Vor-Ort-Jobcenter-oeffnet-seine-Tueren.php?object=tx,2527.10148.1&amp;ModID=7&amp;FID=2527.11862.1&amp;NavID=2527.22&amp;La=1" title="„Stark. Sozial. Vor Ort.“ – Jobcenter öffnet seine Türen">„Stark. Sozial. Vor Ort.“ – Jobcenter öffnet seine Türen</a></h3>
      <p class="teaser">Vom 26. bis 30. August beteiligt sich das Jobcenter des Landkreises an der bundesweiten Aktionswoche der kommunalen Jobcenter. Interessierte können Beratungsgespräche und Werkstätten der Beschäftigungsträger besuchen …</p>
      <a class="more" href="Pressemitteilungen/Stark-Sozial-Vor-Ort-Jobcenter-oeffnet-seine-Tueren.php?object=tx,2527.10148.1&amp;ModID=7&amp;FID=2527.11862.1&amp;NavID=2527.22&amp;La=1" title="„Stark. Sozial. Vor Ort.“ – Jobcenter öffnet seine Türen">mehr</a>
    </li>
    <li>
      <small class="date"><time datetime="2019-08-21">21.08.2019</time></small>
      <h3 class="list-title"><a href="Pressemitteilungen/Faehrverbindung-Stahlbrode-Glewitz-wieder-in-Betrieb.php?object=tx,2527.10131.1&amp;ModID=7&amp;FID=2527.11850.1&amp;NavID=2527.22&amp;La=1" title="Fährverbindung Stahlbrode–Glewitz wieder in Betrieb">Fährverbindung Stahlbrode–Glewitz wieder in Betrieb</a></h3>
      <p class="teaser">Nach Abschluss der Reparaturarbeiten am Anleger verkehrt die Fähre wieder im Halbstundentakt …</p>
      <a class="more" href="Pressemitteilungen/Faehrverbindung-Stahlbrode-Glewitz-wieder-in-Betrieb.php?object=tx,2527.10131.1&amp;ModID=7&amp;FID=2527.11850.1&amp;NavID=2527.22&amp;La=1" title="Fährverbindung Stahlbrode–Glewitz wieder in Betrieb">mehr</a>
    </li>
    <li>
      <small class="date"><time datetime="2019-08-19">19.08.2019</time></small>
      <h3 class="list-title"><a href="Pressemitteilungen/Kreistag-waehlt-neuen-Sozialdezernenten.php?object=tx,2527.10120.1&amp;ModID=7&amp;FID=2527.11841.1&amp;NavID=2527.22&amp;La=1" title="Kreistag wählt neuen Sozialdezernenten">Kreistag wählt neuen Sozialdezernenten</a></h3>
      <p class="teaser">In seiner Sitzung am 19. August hat der Kreistag einen neuen Beigeordneten für Soziales, Gesundheit und Jobcenter gewählt …</p>
      <a class="more" href="Pressemitteilungen/Kreistag-waehlt-neuen-Sozialdezernenten.php?object=tx,2527.10120.1&amp;ModID=7&amp;FID=2527.11841.1&amp;NavID=2527.22&amp;La=1" title="Kreistag wählt neuen Sozialdezernenten">mehr</a>
    </li>
  </ul>
  <div class="pagination">Seite 1 von 2 <a href="Pressemitteilungen.php?NavID=2527.22&amp;max=4&amp;skip=4" rel="next" title="nächste Seite">weiter »</a></div>
</main>
<aside class="sidebar">
  <h2>Weitere Meldungen</h2>
  <ul class="linkliste">
    <li><a href="/Presse/Amtsblatt/">Amtsblatt</a></li>
    <li><a href="/Presse/Bekanntmachungen/">Öffentliche Bekanntmachungen</a></li>
    <li><a href="/Presse/Pressekontakt/">Pressekontakt</a></li>
  </ul>
</aside>
<footer id="fuss">
  <ul class="footer-links">
    <li><a href="/Impressum/">Impressum</a></li>
    <li><a href="/Datenschutz/">Datenschutz</a></li>
    <li><a href="/Barrierefreiheit/">Barrierefreiheit</a></li>
  </ul>
  <p>© 2019 Landkreis Vorpommern-Rügen · Stand: 29.08.2019</p>
</footer>
</body>
</html>

<!DOCTYPE html>
<html lang="de">
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<title>Pressemitteilungen - Landkreis Göttingen</title>
<meta name="generator" content="Weblication® CMS">
</head>
<body id="bodyMain">
<div id="blockMain">
  <div id="navigationMain">
    <ul class="navLevel1Container">
      <li class="navLevel1"><a href="/de/landkreis/">Landkreis</a></li>
      <li class="navLevel1Open"><a href="/de/aktuelles/">Aktuelles</a></li>
      <li class="navLevel1"><a href="/de/jobcenter/">Jobcenter</a></li>
    </ul>
  </div>
  <div id="blockContent">
    <h1>Pressemitteilungen</h1>
    <div class="listDefault">
      <ul class="listEntries">
        <li class="listEntry listEntryObject-news">
          <div class="listEntryDate">27.08.2019</div>
          <h4 class="listEntryTitle"><a href="/de/aktuelles/pressemitteilungen/jobcenter-goettingen-aktionswoche-2019.php">Aktionswoche: Jobcenter Landkreis Göttingen lädt zum Arbeitgebertag</a></h4>
          <div class="listEntryDescription">Rund 40 Unternehmen aus der Region informieren sich am Mittwoch über Förderinstrumente für die Einstellung langzeitarbeitsloser Menschen.</div>
          <div class="listEntryMore"><a href="/de/aktuelles/pressemitteilungen/jobcenter-goettingen-aktionswoche-2019.php">mehr</a></div>
        </li>
        <li class="listEntry listEntryObject-news">
          <div class="listEntryDate">22.08.2019</div>
          <h4 class="listEntryTitle"><a href="/de/aktuelles/pressemitteilungen/kreishaus-osterode-sprechtage.php">Neue Sprechtage im Kreishaus Osterode</a></h4>
          <div class="listEntryDescription">Die Bürgerberatung bietet ab September zusätzliche Sprechtage am Donnerstagnachmittag an.</div>
        </li>
        <li class="listEntry listEntryObject-news">
          <div class="listEntryDate">20.08.2019</div>
          <h4 class="listEntryTitle"><a href="/de/aktuelles/pressemitteilungen/aktionswoche-suchtpraevention.php">Aktionswoche Suchtprävention an Berufsschulen</a></h4>
          <div class="listEntryDescription">Fachstelle für Sucht und Suchtprävention besucht im September sechs berufsbildende Schulen.</div>
        </li>
      </ul>
      <div class="listNavigation">
        <span class="pageNaviCurrent">1</span>
        <a class="pageNaviLink" href="?wlist=presse&amp;wListPage=2">2</a>
        <a class="pageNaviNextLink" rel="next" href="?wlist=presse&amp;wListPage=2">weiter</a>
      </div>
    </div>
  </div>
  <div id="blockRight">
    <div class="boxTeaser"><h3>Kontakt Pressestelle</h3><p>Telefon 0551 525-0</p><p><a href="mailto:presse@example.org">presse@example.org</a></p></div>
  </div>
  <div id="blockFooter"><a href="/de/impressum.php">Impressum</a> | <a href="/de/datenschutz.php">Datenschutz</a></div>
</div>
</body>
</html>

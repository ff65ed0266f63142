<!DOCTYPE html>
<html lang="de">
<head><meta charset="utf-8"><title>Pressemitteilungen Juli 2019 – Stadt Erlangen</title></head>
<body>
<div class="inhalt">
  <h1>Pressemitteilungen – Archiv Juli 2019</h1>
  <div class="monatsarchiv">
    <ul>
      <li><a href="/presse/archiv/pressemitteilungen/2019/juli/ggfa-jahresbericht-2018.php">24.07.2019 – GGFA legt Jahresbericht 2018 vor</a></li>
      <li><a href="/presse/archiv/pressemitteilungen/2019/juli/hitzeschutz-kitas.php">11.07.2019 – Hitzeschutz in städtischen Kitas</a></li>
    </ul>
  </div>
  <p class="archivnavigation">
    <a class="archiv-vorher" rel="prev" href="/presse/archiv/pressemitteilungen/2019/juni/index.php">« Juni 2019</a>
    <a class="archiv-nachher" href="/presse/archiv/pressemitteilungen/2019/august/index.php">August 2019 »</a>
  </p>
</div>
</body>
</html>

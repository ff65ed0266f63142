<?xml version="1.0" encoding="utf-8"?>
<!-- A feed opened in a browser: a readable page with the entries and how to subscribe,
     instead of raw XML. Feed readers ignore this stylesheet. -->
<xsl:stylesheet version="1.0"
  xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
  xmlns:atom="http://www.w3.org/2005/Atom"
  exclude-result-prefixes="atom">
<xsl:output method="html" encoding="utf-8" doctype-system="about:legacy-compat"/>
<!-- the versions of one joint release share the link to their group's feed: shown once,
     with the jobcenters that published it, as the dashboard shows them -->
<xsl:key name="gruppe" match="atom:entry" use="atom:link[@rel='related' and @type='application/atom+xml']/@href"/>
<xsl:template match="/atom:feed">
<html lang="de">
<head>
<meta charset="utf-8"/>
<meta name="viewport" content="width=device-width, initial-scale=1"/>
<link rel="icon" href="data:,"/>
<title><xsl:value-of select="atom:title"/> (Feed)</title>
<link rel="stylesheet" href="{substring-before(atom:link[@rel='self']/@href, '/feeds/')}/static/style.css"/>
</head>
<body>
<header>
<h1><xsl:value-of select="atom:title"/></h1>
<p class="sub">Dies ist ein Feed: eine Adresse für Feedreader, die neue Meldungen von selbst bringen.</p>
</header>
<main>
<section id="abonnieren">
<h2>So abonnieren Sie diesen Feed</h2>
<p>Kopieren Sie diese Adresse und fügen Sie sie in Ihren Feedreader ein (Thunderbird, Outlook, Feedly, Inoreader, NetNewsWire):</p>
<p><code class="feed-adresse"><xsl:value-of select="atom:link[@rel='self']/@href"/></code></p>
<p>Ohne Feedreader: die <a href="{atom:link[@rel='alternate' and @type='text/html']/@href}">Übersicht</a> zeigt dieselben Meldungen.</p>
</section>
<section id="meldungen">
<h2>Meldungen in diesem Feed</h2>
<ol class="meldungen">
<xsl:for-each select="atom:entry[not(atom:link[@rel='related' and @type='application/atom+xml']) or generate-id() = generate-id(key('gruppe', atom:link[@rel='related' and @type='application/atom+xml']/@href)[1])]">
<xsl:variable name="gruppe" select="atom:link[@rel='related' and @type='application/atom+xml']/@href"/>
<xsl:variable name="versionen" select="key('gruppe', $gruppe)"/>
<li>
<xsl:if test="$gruppe and count($versionen) &gt; 1"><xsl:attribute name="class">gemeinsam</xsl:attribute></xsl:if>
<time datetime="{atom:published}"><xsl:value-of select="concat(substring(atom:published, 9, 2), '.', substring(atom:published, 6, 2), '.', substring(atom:published, 1, 4))"/></time>
<xsl:text> </xsl:text>
<xsl:choose>
<xsl:when test="atom:link[@rel='alternate']"><a href="{atom:link[@rel='alternate']/@href}"><xsl:value-of select="atom:title"/></a></xsl:when>
<xsl:otherwise><xsl:value-of select="atom:title"/></xsl:otherwise>
</xsl:choose>
<span class="quelle"><xsl:value-of select="atom:source/atom:title"/>
<xsl:if test="$gruppe and count($versionen) &gt; 1"> und <xsl:value-of select="count($versionen) - 1"/> weitere</xsl:if></span>
<xsl:if test="$gruppe and count($versionen) &gt; 1">
<details><summary>Gemeinsame Meldung: alle <xsl:value-of select="count($versionen)"/> Jobcenter in diesem Feed</summary>
<ul><xsl:for-each select="$versionen"><li><a href="{atom:link[@rel='alternate']/@href}"><xsl:value-of select="atom:source/atom:title"/></a></li></xsl:for-each></ul>
</details>
</xsl:if>
</li>
</xsl:for-each>
</ol>
<xsl:if test="atom:link[@rel='prev-archive']"><p><a href="{atom:link[@rel='prev-archive']/@href}">Ältere Meldungen</a></p></xsl:if>
</section>
</main>
</body>
</html>
</xsl:template>
</xsl:stylesheet>

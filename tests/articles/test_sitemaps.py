"""The Google News sitemap, validated against the sitemap 0.9 and Google News 0.9 schemas.

No schema can be fetched offline, so the constraints are written out here, following
https://www.sitemaps.org/schemas/sitemap/0.9/sitemap.xsd and
https://www.google.com/schemas/sitemap-news/0.9/sitemap-news.xsd:

- namespaces: urlset in http://www.sitemaps.org/schemas/sitemap/0.9, news:* in
  http://www.google.com/schemas/sitemap-news/0.9, elements qualified;
- url: loc (an absolute URI, 12-2048 characters), optional lastmod (W3C date or datetime), optional
  changefreq and priority, then elements of other namespaces, validated strictly (news:news);
- news:news: publication (name, language as ISO 639: two or three lower-case letters, or zh-cn/zh-tw),
  optional access and genres, publication_date, title, optional keywords and stock_tickers, in that order;
- publication_date: a W3C datetime; stricter than Google's xsd:date|xsd:dateTime union, the time zone
  designator is required (Google asks for one) and the name and title must not be empty.
"""

import re
from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from lxml import etree

from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
W3C_DATETIME = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+\-]\d{2}:\d{2})"

SITEMAP_XSD = f"""<?xml version="1.0" encoding="UTF-8"?>
<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema" targetNamespace="{SITEMAP_NS}"
            xmlns="{SITEMAP_NS}" elementFormDefault="qualified">
  <xsd:import namespace="{NEWS_NS}" schemaLocation="sitemap-news.xsd"/>
  <xsd:element name="urlset">
    <xsd:complexType>
      <xsd:sequence>
        <xsd:any namespace="##other" processContents="strict" minOccurs="0" maxOccurs="unbounded"/>
        <xsd:element name="url" type="tUrl" maxOccurs="50000"/>
      </xsd:sequence>
    </xsd:complexType>
  </xsd:element>
  <xsd:complexType name="tUrl">
    <xsd:sequence>
      <xsd:element name="loc" type="tLoc"/>
      <xsd:element name="lastmod" type="tLastmod" minOccurs="0"/>
      <xsd:element name="changefreq" type="tChangeFreq" minOccurs="0"/>
      <xsd:element name="priority" type="tPriority" minOccurs="0"/>
      <xsd:any namespace="##other" processContents="strict" minOccurs="0" maxOccurs="unbounded"/>
    </xsd:sequence>
  </xsd:complexType>
  <xsd:simpleType name="tLoc">
    <xsd:restriction base="xsd:anyURI"><xsd:minLength value="12"/><xsd:maxLength value="2048"/></xsd:restriction>
  </xsd:simpleType>
  <xsd:simpleType name="tLastmod">
    <xsd:union>
      <xsd:simpleType><xsd:restriction base="xsd:date"/></xsd:simpleType>
      <xsd:simpleType><xsd:restriction base="xsd:dateTime"/></xsd:simpleType>
    </xsd:union>
  </xsd:simpleType>
  <xsd:simpleType name="tChangeFreq">
    <xsd:restriction base="xsd:string">
      <xsd:enumeration value="always"/><xsd:enumeration value="hourly"/><xsd:enumeration value="daily"/>
      <xsd:enumeration value="weekly"/><xsd:enumeration value="monthly"/><xsd:enumeration value="yearly"/>
      <xsd:enumeration value="never"/>
    </xsd:restriction>
  </xsd:simpleType>
  <xsd:simpleType name="tPriority">
    <xsd:restriction base="xsd:decimal"><xsd:minInclusive value="0.0"/><xsd:maxInclusive value="1.0"/></xsd:restriction>
  </xsd:simpleType>
</xsd:schema>
"""

NEWS_XSD = f"""<?xml version="1.0" encoding="UTF-8"?>
<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema" targetNamespace="{NEWS_NS}"
            xmlns="{NEWS_NS}" elementFormDefault="qualified">
  <xsd:element name="news">
    <xsd:complexType>
      <xsd:sequence>
        <xsd:element name="publication">
          <xsd:complexType>
            <xsd:sequence>
              <xsd:element name="name" type="tNonEmpty"/>
              <xsd:element name="language">
                <xsd:simpleType>
                  <xsd:restriction base="xsd:language">
                    <xsd:pattern value="zh-cn|zh-tw|([a-z]{{2,3}})"/>
                  </xsd:restriction>
                </xsd:simpleType>
              </xsd:element>
            </xsd:sequence>
          </xsd:complexType>
        </xsd:element>
        <xsd:element name="access" minOccurs="0">
          <xsd:simpleType>
            <xsd:restriction base="xsd:string">
              <xsd:enumeration value="Subscription"/><xsd:enumeration value="Registration"/>
            </xsd:restriction>
          </xsd:simpleType>
        </xsd:element>
        <xsd:element name="genres" type="xsd:string" minOccurs="0"/>
        <xsd:element name="publication_date">
          <xsd:simpleType>
            <xsd:restriction base="xsd:dateTime"><xsd:pattern value="{W3C_DATETIME}"/></xsd:restriction>
          </xsd:simpleType>
        </xsd:element>
        <xsd:element name="title" type="tNonEmpty"/>
        <xsd:element name="keywords" type="xsd:string" minOccurs="0"/>
        <xsd:element name="stock_tickers" type="xsd:string" minOccurs="0"/>
      </xsd:sequence>
    </xsd:complexType>
  </xsd:element>
  <xsd:simpleType name="tNonEmpty">
    <xsd:restriction base="xsd:string"><xsd:minLength value="1"/></xsd:restriction>
  </xsd:simpleType>
</xsd:schema>
"""


@pytest.fixture(scope="module")
def schema(tmp_path_factory):
    folder = tmp_path_factory.mktemp("xsd")
    (folder / "sitemap-news.xsd").write_text(NEWS_XSD, encoding="utf-8")
    (folder / "sitemap.xsd").write_text(SITEMAP_XSD, encoding="utf-8")
    return etree.XMLSchema(etree.parse(str(folder / "sitemap.xsd")))


def news_sitemap(client):
    response = client.get("/sitemap-news.xml")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/xml")
    return etree.fromstring(response.content)


def test_news_sitemap_validates_against_the_google_news_schema(client, schema):
    ArticleFactory(title="Армения & Азербайджан: „мир“ <сега>")
    ArticleFactory(published_at=timezone.now() - timedelta(hours=30))
    doc = news_sitemap(client)
    assert schema.validate(doc), schema.error_log


def test_the_schema_rejects_a_news_entry_without_title_or_time_zone(client, schema):
    ArticleFactory()
    doc = news_sitemap(client)
    title = doc.find(f".//{{{NEWS_NS}}}title")
    title.getparent().remove(title)
    assert not schema.validate(doc)
    doc = news_sitemap(client)
    date = doc.find(f".//{{{NEWS_NS}}}publication_date")
    date.text = date.text[:19]  # no offset
    assert not schema.validate(doc)


def test_news_sitemap_lists_articles_of_the_last_two_days_only(client):
    fresh = ArticleFactory(title="Прясна новина", published_at=timezone.now() - timedelta(hours=47))
    ArticleFactory(title="Стара новина", published_at=timezone.now() - timedelta(hours=49))
    ArticleFactory(title="Чернова", draft=True)
    ArticleFactory(title="Насрочена", scheduled=True)
    doc = news_sitemap(client)
    urls = doc.findall(f"{{{SITEMAP_NS}}}url")
    assert [u.findtext(f"{{{SITEMAP_NS}}}loc") for u in urls] == [f"http://testserver{fresh.get_absolute_url()}"]
    news = urls[0].find(f"{{{NEWS_NS}}}news")
    assert news.findtext(f"{{{NEWS_NS}}}publication/{{{NEWS_NS}}}name") == "Вестник"
    assert news.findtext(f"{{{NEWS_NS}}}publication/{{{NEWS_NS}}}language") == "bg"
    assert news.findtext(f"{{{NEWS_NS}}}title") == "Прясна новина"
    published = news.findtext(f"{{{NEWS_NS}}}publication_date")
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+0[23]:00", published)  # Sofia time
    assert published == timezone.localtime(fresh.published_at).replace(microsecond=0).isoformat()


def test_news_sitemap_titles_lose_what_xml_cannot_carry(client, schema):
    ArticleFactory(title="Звънец\x07 и начало\x02 <b>&")
    doc = news_sitemap(client)  # a strict parse: raises on a control character
    assert doc.findtext(f".//{{{NEWS_NS}}}title") == "Звънец\ufffd и начало\ufffd <b>&"
    assert schema.validate(doc), schema.error_log


def test_news_sitemap_is_listed_in_the_index_and_robots_txt(client):
    ArticleFactory()
    index = etree.fromstring(client.get("/sitemap.xml").content)
    locs = [e.text for e in index.iter(f"{{{SITEMAP_NS}}}loc")]
    assert "http://testserver/sitemap-news.xml" in locs and "http://testserver/sitemap-articles.xml" in locs
    robots = client.get("/robots.txt").content.decode()
    assert "Sitemap: http://testserver/sitemap-news.xml" in robots
    assert "Disallow: /stats/" in robots


def test_news_sitemap_query_budget(client, django_assert_max_num_queries):
    for _ in range(20):
        ArticleFactory(tags=[], with_image=True)
    client.get("/")  # warm the navigation cache
    with django_assert_max_num_queries(2):  # the count for pagination, the page
        doc = news_sitemap(client)
    assert len(doc.findall(f"{{{SITEMAP_NS}}}url")) == 20


def test_the_index_reads_each_lastmod_with_one_aggregate(client, settings, django_assert_max_num_queries):
    settings.PAGE_CACHE_ENABLED = False
    newest = timezone.now() - timedelta(minutes=5)
    ArticleFactory.create_batch(30, tags=[], published_at=timezone.now() - timedelta(days=3))
    ArticleFactory(tags=[], published_at=newest - timedelta(hours=1), content_updated_at=newest)
    # Articles and news: the latest change and the count for their pages; the listing pages: one list of slugs
    # per kind. None grows with the number of articles.
    with django_assert_max_num_queries(8) as queries:
        index = etree.fromstring(client.get("/sitemap.xml").content)
    assert not [q for q in queries.captured_queries if '"articles_article"."slug"' in q["sql"]]  # no article row read
    lastmods = {
        e.findtext(f"{{{SITEMAP_NS}}}loc"): e.findtext(f"{{{SITEMAP_NS}}}lastmod")
        for e in index.iter(f"{{{SITEMAP_NS}}}sitemap")
    }
    assert datetime.fromisoformat(lastmods["http://testserver/sitemap-articles.xml"]) == newest

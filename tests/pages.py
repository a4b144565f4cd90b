"""Parse a page and check what every page owes its users: lang, one h1, unique ids, labelled inputs."""
import html5lib

NS = {"h": "http://www.w3.org/1999/xhtml"}
UNLABELLED_OK = {"hidden", "submit", "button", "reset", "image"}


def parse(response):
    return html5lib.parse(response.get_data(as_text=True), namespaceHTMLElements=False)


def check_page(response):
    """Assert the page's basic accessibility contract and return the parsed document for further checks."""
    document = parse(response)
    root = document if document.tag == "html" else document.find(".//html")
    assert root.get("lang"), "the <html> element needs a lang"
    assert len(document.findall(".//h1")) == 1, "a page has exactly one h1"
    ids = [element.get("id") for element in document.iter() if element.get("id")]
    duplicates = {i for i in ids if ids.count(i) > 1}
    assert not duplicates, f"duplicate ids: {duplicates}"
    labelled = {label.get("for") for label in document.iter("label")}
    for element in document.iter():
        if element.tag not in ("input", "select", "textarea"):
            continue
        if element.tag == "input" and element.get("type", "text") in UNLABELLED_OK:
            continue
        assert (
            element.get("id") in labelled or element.get("aria-labelledby") or element.get("aria-label")
        ), f"unlabelled {element.tag} name={element.get('name')}"
    return document


def text_of(element) -> str:
    return " ".join("".join(element.itertext()).split())

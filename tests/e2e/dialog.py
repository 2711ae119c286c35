"""The form dialog (core.dialog) in a test: its page is typed into once it has run its
scripts. A field filled while the framed page still loaded came back empty after the
form was refused (CI, once): the test waits as a person would see the form settle."""

# The framed page is complete and has run app.js (about:blank, between two openings,
# is complete too: hence the class only a dialog's page carries).
LOADED = """() => {
  const page = document.querySelector('#form-dialog iframe').contentDocument;
  return page.readyState === 'complete' && page.body.classList.contains('in-dialog');
}"""


def open_dialog(page):
    """Waits for the dialog a click opened; its frame, to find fields in."""
    page.wait_for_function(LOADED)
    return page.frame_locator("#form-dialog iframe")

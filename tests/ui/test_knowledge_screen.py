"""База знаний (F7): a manager searches, reads an article rendered from Markdown and
cannot write; the head writes a new article that the search then finds. On the demo
database, at 80×24, on SQLite and Firebird."""

from __future__ import annotations

import pytest
from tests.ui.conftest import SMALL, log_in, make_app, screen_text, settle
from textual.widgets import Markdown

from qstui.services.context import context_for
from qstui.services.knowledge.articles import list_articles
from qstui.services.knowledge.search import search_articles


async def open_knowledge(pilot, app, login):
    await log_in(pilot, app, login)
    await pilot.press("f7")
    await settle(pilot, app)
    assert type(app.screen).__name__ == "KnowledgeScreen"


def shown_titles(app) -> list[str]:
    return [row.title for row in app.screen.rows]


@pytest.mark.one_backend
async def test_a_manager_searches_reads_and_cannot_edit(demo_db):
    app = make_app(demo_db)
    async with app.run_test(size=SMALL) as pilot:
        await open_knowledge(pilot, app, "ivanov")
        assert "Search: type words" in screen_text(app)
        await pilot.press("f12")  # the module panel in full (80 columns show its keys)
        await settle(pilot, app)
        assert "Knowledge base" in screen_text(app)
        assert "Договоры поставки" in shown_titles(app)
        await pilot.press("slash", *"договор")
        await settle(pilot, app)
        titles = shown_titles(app)
        assert titles[:2] == ["ДОГОВОР НА СЕРВИС", "Договоры поставки"]
        assert "Как вести переговоры о цене" not in titles
        await pilot.press("down", "down", "enter")  # to the list, the second hit, read it
        await settle(pilot, app)
        markdown = app.screen.query_one("#kb-body", Markdown)
        assert markdown.source.startswith("## Когда нужен договор поставки")
        text = screen_text(app)
        assert "Договоры поставки" in text
        assert "Когда нужен договор поставки" in text  # the heading, rendered
        assert "## " not in text
        # no editing for a manager: the keys are not offered and do nothing
        assert "New article" not in text
        await pilot.press("e", "ctrl+n", "delete")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "KnowledgeScreen"
        await pilot.press("escape")
        await settle(pilot, app)
        assert app.screen.query_one("#kb-articles").has_focus


@pytest.mark.one_backend
async def test_the_head_writes_a_new_article(demo_db):
    head = context_for(demo_db, "head")
    before = len(list_articles(head))
    app = make_app(demo_db)
    async with app.run_test(size=SMALL) as pilot:
        await open_knowledge(pilot, app, "head")
        assert "New article" in screen_text(app)
        await pilot.press("ctrl+n")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "ArticleEditor"
        await pilot.press(*"Возврат товара", "enter")
        await pilot.press("enter", "down", "enter")  # the first category
        await pilot.press("tab", *"возврат, брак", "enter")
        await pilot.press(*"Брак возвращаем за счет поставщика.")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "KnowledgeScreen"
        assert app.screen.reading
        assert "Брак возвращаем за счет поставщика." in screen_text(app)
    assert len(list_articles(head)) == before + 1
    hit = search_articles(head, "брак")[0]
    assert hit.row.title == "Возврат товара" and hit.row.tags == ("возврат", "брак")
    assert hit.in_title == 1  # the tag counts like the title


@pytest.mark.one_backend
async def test_an_article_opens_from_its_claim_and_from_find_anything(demo_db):
    from tests.ui.conftest import to_tab
    from tests.ui.test_palette import choose, open_palette

    from qstui.services.clients.claims import register_claim
    from qstui.services.clients.companies import list_clients

    ctx = context_for(demo_db, "ivanov")
    company_id = list_clients(ctx, limit=1).rows[0].id
    article = next(h.row for h in search_articles(ctx, "поставки") if h.in_title)
    register_claim(ctx, company_id, "Нет договора", kb_article_id=article.id)
    app = make_app(demo_db)
    async with app.run_test(size=SMALL) as pilot:
        await log_in(pilot, app, "ivanov")
        app.open_client(company_id)
        await settle(pilot, app)
        await to_tab(pilot, app, "0")
        app.screen.query_one("#claims").focus()
        await pilot.press("a")  # the newest claim is the first row
        await settle(pilot, app)
        assert type(app.screen).__name__ == "ArticleReader"
        assert "Когда нужен договор поставки" in screen_text(app)
        await pilot.press("escape")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "ClientCardScreen"
        await open_palette(pilot, app, "договоры поставки")
        await choose(pilot, app, "Договоры поставки")
        assert type(app.screen).__name__ == "ArticleReader"
        assert "Что проверить перед отправкой" in screen_text(app)


async def test_two_editors_the_second_keeps_what_was_typed_and_saves_after_reload(demo_db):
    from qstui.services.knowledge.articles import get_article, update_article

    admin = context_for(demo_db, "admin")
    app = make_app(demo_db)
    async with app.run_test(size=SMALL) as pilot:
        await open_knowledge(pilot, app, "head")
        row = app.screen.highlighted_row
        await pilot.press("e")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "ArticleEditor"
        update_article(admin, row.id, row.version, body="Правка администратора")
        await pilot.press("end", *" 2")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "ConflictDialog"
        assert f"{row.title} 2" in screen_text(app)  # what was typed, shown to copy
        assert get_article(admin, row.id).row.title == row.title  # nothing overwritten
        await pilot.press("enter")  # «Reload» has the focus; the editor keeps the typed text
        await settle(pilot, app)
        editor = app.screen
        assert type(editor).__name__ == "ArticleEditor"
        assert editor.values()["title"] == f"{row.title} 2"
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert type(app.screen).__name__ == "KnowledgeScreen", screen_text(app)
    saved = get_article(admin, row.id)
    assert saved.row.title == f"{row.title} 2"

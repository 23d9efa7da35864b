"""Custom fields, client groups with a mass activity, the knowledge base, packages of
materials and the ``demo`` setting."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select

from qstui.db.models import CustomField, Package, Setting
from qstui.demo.rows import local, stamp
from qstui.demo.world import MANAGERS, Groups, World
from qstui.demo.writer import Writer
from qstui.domain.enums import FieldEntity, FieldKind
from qstui.domain.normalize import fold
from qstui.services.search import index as search_index

EXPO = "Участники выставки «Связь-2026»"
FIELDS = (
    ("employees", "Число сотрудников", FieldKind.NUMBER, None),
    ("segment", "Сегмент", FieldKind.CHOICE, ["A", "B", "C"]),
    ("last_audit", "Дата последнего аудита", FieldKind.DATE, None),
)


def _start(world: World) -> datetime:
    return local(world.today - timedelta(days=3 * 365), 9)


def make_fields(world: World, writer: Writer) -> dict[str, int]:
    """The company custom fields (existing ones with the same code are reused)."""
    existing = dict(
        writer.conn.execute(
            select(CustomField.code, CustomField.id).where(
                CustomField.entity == FieldEntity.COMPANY
            )
        ).all()
    )
    ids, rows = {}, []
    for sort_no, (code, title, kind, choices) in enumerate(FIELDS, start=1):
        if code in existing:
            ids[code] = existing[code]
            continue
        ids[code] = world.ids.take("custom_fields")
        rows.append(
            {
                "id": ids[code],
                "entity": FieldEntity.COMPANY,
                "code": code,
                "title": title,
                "field_kind": kind,
                "choices": choices,
                "is_required": False,
                "is_active": True,
                "sort_no": sort_no,
                **stamp(_start(world), world.staff.admin),
            }
        )
    writer.write("setup", "custom_fields", rows)
    return ids


def make_groups(world: World, writer: Writer) -> Groups:
    """Two shared groups, a personal group per manager, an exhibition mass activity."""
    at = local(world.today - timedelta(days=200), 10)
    head = world.staff.head
    rows = []

    def group(name: str, shared: bool, owner: int, description: str | None) -> int:
        group_id = world.ids.take("client_groups")
        rows.append(
            {
                "id": group_id,
                "name": name,
                "is_shared": shared,
                "owner_id": owner,
                "description": description,
                **stamp(at, owner),
            }
        )
        return group_id

    vip = group("VIP-клиенты", True, head, "Ключевые клиенты с наибольшим оборотом")
    expo = group(EXPO, True, head, "Посетители нашего стенда на выставке")
    personal = {
        world.staff.ids[login]: group("Мои ключевые клиенты", False, world.staff.ids[login], None)
        for login in MANAGERS
    }
    writer.write("setup", "client_groups", rows)
    activity_on = world.today - timedelta(days=40)
    activity_id = world.ids.take("mass_activities")
    writer.write(
        "setup",
        "mass_activities",
        [
            {
                "id": activity_id,
                "group_id": expo,
                "title": "Приглашение на выставку «Связь-2026» и встречи после нее",
                "event_type_id": world.refs.event_types.get("call"),
                "planned_on": activity_on,
                "notes": "Обзвонить участников, пригласить на стенд, договориться о встречах",
                "created_by": head,
                **stamp(local(activity_on - timedelta(days=7), 11), head),
            }
        ],
    )
    return Groups(vip, expo, personal, activity_id, activity_on)


def make_knowledge(world: World, writer: Writer) -> None:
    """Categories and articles from ``kb_articles.csv``."""
    at = _start(world) + timedelta(days=30)
    categories: dict[str, int] = {}
    cat_rows, art_rows, word_rows = [], [], []
    for n, (category, title, body) in enumerate(world.pools.kb_articles):
        if category not in categories:
            categories[category] = world.ids.take("kb_categories")
            cat_rows.append(
                {
                    "id": categories[category],
                    "name": category,
                    "parent_id": None,
                    "sort_no": len(categories),
                    **stamp(at),
                }
            )
        article_id = world.ids.take("kb_articles")
        art_rows.append(
            {
                "id": article_id,
                "category_id": categories[category],
                "title": title,
                "title_fold": fold(title),
                "body": body,
                "author_id": world.staff.head,
                "is_published": True,
                **stamp(at + timedelta(days=n * 7), world.staff.head),
            }
        )
        for row in search_index.rows(
            search_index.ARTICLE, article_id, None, search_index.article_words(title, body)
        ):
            row["id"] = world.ids.take("search_words")
            word_rows.append(row)
    writer.write("setup", "kb_categories", cat_rows)
    writer.write("setup", "kb_articles", art_rows)
    writer.write("search", "search_words", word_rows)


def _price_csv(world: World) -> bytes:
    lines = ["Наименование;Цена;Валюта"]
    lines += [f"{p.name};{p.price};{p.currency}" for p in world.products]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8-sig")


def _text(*paragraphs: str) -> bytes:
    return ("\n\n".join(paragraphs) + "\n").encode("utf-8")


PACKAGES = (
    (
        "Прайс-лист и презентация",
        "Прайс-лист и презентация нашей компании",
        "Добрый день!\n\nНаправляем актуальный прайс-лист и презентацию компании. "
        "Будем рады ответить на вопросы.",
        (
            ("Прайс-лист", "price.csv", "text/csv", _price_csv),
            (
                "Презентация компании",
                "presentation.txt",
                "text/plain",
                lambda w: _text(
                    "Мы поставляем компьютерную и офисную технику, программное обеспечение "
                    "и услуги внедрения с 2010 года.",
                    "Собственная сервисная служба, склад в Москве, доставка по всей России.",
                    "Более 3 000 клиентов: от небольших офисов до федеральных сетей.",
                ),
            ),
        ),
    ),
    (
        "Материалы по 1С",
        "Внедрение и сопровождение 1С",
        "Добрый день!\n\nВо вложении — этапы внедрения 1С и чек-лист подготовки к переходу.",
        (
            (
                "Этапы внедрения 1С",
                "1c_stages.txt",
                "text/plain",
                lambda w: _text(
                    "1. Обследование и техническое задание.",
                    "2. Настройка типовой конфигурации и перенос данных.",
                    "3. Обучение пользователей и опытная эксплуатация.",
                    "4. Сопровождение по договору ИТС.",
                ),
            ),
            (
                "Чек-лист перехода на 1С",
                "1c_checklist.txt",
                "text/plain",
                lambda w: _text(
                    "- Назначен ответственный со стороны клиента.",
                    "- Выгружены остатки и справочники из старой системы.",
                    "- Определены пользователи и их права.",
                    "- Согласована дата перехода.",
                ),
            ),
        ),
    ),
)


def make_packages(world: World, writer: Writer) -> None:
    """Two packages of materials (skipped if a package of that name exists)."""
    existing = set(writer.conn.scalars(select(Package.name)))
    at = _start(world) + timedelta(days=60)
    packages, materials, links = [], [], []
    for name, subject, body, items in PACKAGES:
        if name in existing:
            continue
        package_id = world.ids.take("packages")
        packages.append(
            {
                "id": package_id,
                "name": name,
                "subject": subject,
                "body": body,
                "is_active": True,
                "owner_id": world.staff.head,
                **stamp(at, world.staff.head),
            }
        )
        for sort_no, (title, file_name, mime, make) in enumerate(items, start=1):
            content = make(world)
            material_id = world.ids.take("materials")
            materials.append(
                {
                    "id": material_id,
                    "title": title,
                    "file_name": file_name,
                    "mime_type": mime,
                    "size_bytes": len(content),
                    "content": content,
                    "notes": None,
                    **stamp(at, world.staff.head),
                }
            )
            links.append({"package_id": package_id, "material_id": material_id, "sort_no": sort_no})
    writer.write("setup", "packages", packages)
    writer.write("setup", "materials", materials)
    writer.write("setup", "package_materials", links)


def record_demo(
    writer: Writer, world: World, size: str, seed: int, logins: tuple[str, ...]
) -> None:
    """The ``demo`` setting the login screen reads (replaced if present)."""
    writer.conn.execute(delete(Setting).where(Setting.name == "demo"))
    writer.write(
        "setup",
        "settings",
        [
            {
                "id": world.ids.take("settings"),
                "name": "demo",
                "val": {
                    "size": size,
                    "seed": seed,
                    "today": world.today.isoformat(),
                    "logins": list(logins),
                    "password": "demo",
                },
            }
        ],
    )

"""The knowledge base (B1): categories (``categories``), articles (``articles``) and
their search in Russian (``search``). Everyone with the module right ``knowledge``
reads; writing needs ``knowledge.edit``."""

"""The tabs of the deal card (``qstui.screens.deal_card``), one module per tab. Each tab
is a ``DealTab``: ``show(view)`` fills it from the card's one ``deal_view`` result; its
keys and their actions live with it, and it tells the card what happened with messages
(a change saved, a change failed, show me)."""

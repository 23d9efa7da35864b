"""The tabs of the client card (``qstui.screens.client_card``), one module per tab or
group of tabs. Each tab is a ``CardTab``: ``show(card)`` fills it from the one
``get_card`` result; a change made from a tab asks the card to reload."""

"""The public operation, in the contract's order: the request read once (`request`), who calls
(`auth`: 401, 403), which representation (`negotiation`: 406), the version-2 query (`query`: 400),
which channels in which order (`selection`), how an item is written (`representation`), an agent's
answers rendered once per change (`answers`), and the steps put together (`operation`)."""

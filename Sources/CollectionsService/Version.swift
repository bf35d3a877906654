enum CollectionsServiceVersion {}

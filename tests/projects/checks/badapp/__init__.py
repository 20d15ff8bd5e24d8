"""An app of the bad project whose serializers expose fields implicitly."""

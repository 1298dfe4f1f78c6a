"""What a credential is: Open Badges 3.0 / VC 2.0 / CLR 2.0 models, bundled JSON-LD contexts and
1EdTech JSON Schemas, the offline document loader and schema validation. Pure: no web, no database."""

from committee.cli import main

raise SystemExit(main())

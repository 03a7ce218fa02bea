REVOKE ALL ON DATABASE "ar" FROM PUBLIC;
REVOKE ALL ON SCHEMA public FROM PUBLIC;
DO $$ BEGIN
                IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ar_ledger_owner') THEN
                    CREATE ROLE ar_ledger_owner LOGIN PASSWORD 'ar_ledger_owner';
                END IF;
                IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ar_ledger_app') THEN
                    CREATE ROLE ar_ledger_app LOGIN PASSWORD 'ar_ledger_app';
                END IF;
            END $$;
GRANT CONNECT, TEMPORARY ON DATABASE "ar" TO ar_ledger_owner, ar_ledger_app;
CREATE SCHEMA IF NOT EXISTS ledger AUTHORIZATION ar_ledger_owner;
REVOKE ALL ON SCHEMA ledger FROM PUBLIC;
GRANT USAGE ON SCHEMA ledger TO ar_ledger_app;
ALTER DEFAULT PRIVILEGES FOR ROLE ar_ledger_owner IN SCHEMA ledger GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ar_ledger_app;
ALTER DEFAULT PRIVILEGES FOR ROLE ar_ledger_owner IN SCHEMA ledger GRANT USAGE, SELECT ON SEQUENCES TO ar_ledger_app;
DO $$ BEGIN
                IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ar_credit_owner') THEN
                    CREATE ROLE ar_credit_owner LOGIN PASSWORD 'ar_credit_owner';
                END IF;
                IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ar_credit_app') THEN
                    CREATE ROLE ar_credit_app LOGIN PASSWORD 'ar_credit_app';
                END IF;
            END $$;
GRANT CONNECT, TEMPORARY ON DATABASE "ar" TO ar_credit_owner, ar_credit_app;
CREATE SCHEMA IF NOT EXISTS credit AUTHORIZATION ar_credit_owner;
REVOKE ALL ON SCHEMA credit FROM PUBLIC;
GRANT USAGE ON SCHEMA credit TO ar_credit_app;
ALTER DEFAULT PRIVILEGES FOR ROLE ar_credit_owner IN SCHEMA credit GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ar_credit_app;
ALTER DEFAULT PRIVILEGES FOR ROLE ar_credit_owner IN SCHEMA credit GRANT USAGE, SELECT ON SEQUENCES TO ar_credit_app;
DO $$ BEGIN
                IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ar_collections_owner') THEN
                    CREATE ROLE ar_collections_owner LOGIN PASSWORD 'ar_collections_owner';
                END IF;
                IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ar_collections_app') THEN
                    CREATE ROLE ar_collections_app LOGIN PASSWORD 'ar_collections_app';
                END IF;
            END $$;
GRANT CONNECT, TEMPORARY ON DATABASE "ar" TO ar_collections_owner, ar_collections_app;
CREATE SCHEMA IF NOT EXISTS collections AUTHORIZATION ar_collections_owner;
REVOKE ALL ON SCHEMA collections FROM PUBLIC;
GRANT USAGE ON SCHEMA collections TO ar_collections_app;
ALTER DEFAULT PRIVILEGES FOR ROLE ar_collections_owner IN SCHEMA collections GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ar_collections_app;
ALTER DEFAULT PRIVILEGES FOR ROLE ar_collections_owner IN SCHEMA collections GRANT USAGE, SELECT ON SEQUENCES TO ar_collections_app;
DO $$ BEGIN
                IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ar_notifications_owner') THEN
                    CREATE ROLE ar_notifications_owner LOGIN PASSWORD 'ar_notifications_owner';
                END IF;
                IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'ar_notifications_app') THEN
                    CREATE ROLE ar_notifications_app LOGIN PASSWORD 'ar_notifications_app';
                END IF;
            END $$;
GRANT CONNECT, TEMPORARY ON DATABASE "ar" TO ar_notifications_owner, ar_notifications_app;
CREATE SCHEMA IF NOT EXISTS notifications AUTHORIZATION ar_notifications_owner;
REVOKE ALL ON SCHEMA notifications FROM PUBLIC;
GRANT USAGE ON SCHEMA notifications TO ar_notifications_app;
ALTER DEFAULT PRIVILEGES FOR ROLE ar_notifications_owner IN SCHEMA notifications GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ar_notifications_app;
ALTER DEFAULT PRIVILEGES FOR ROLE ar_notifications_owner IN SCHEMA notifications GRANT USAGE, SELECT ON SEQUENCES TO ar_notifications_app;

DROP TABLE memberships;
DROP TABLE users;
DROP TABLE organisations;
DROP TABLE calendar_holidays;
DROP TABLE calendars;

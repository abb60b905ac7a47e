CREATE TABLE bank_files (
	display VARCHAR(500) NOT NULL, 
	position INTEGER NOT NULL, 
	content_hash VARCHAR(128) NOT NULL, 
	parser_version VARCHAR(128) NOT NULL, 
	id_places JSON NOT NULL, 
	problems JSON NOT NULL, 
	CONSTRAINT pk_bank_files PRIMARY KEY (display)
);

CREATE TABLE cards (
	profile_id INTEGER NOT NULL, 
	question_id VARCHAR(200) NOT NULL, 
	status SMALLINT NOT NULL, 
	step INTEGER, 
	stability DOUBLE, 
	difficulty DOUBLE, 
	due DATETIME, 
	last_review DATETIME, 
	reps INTEGER NOT NULL, 
	lapses INTEGER NOT NULL, 
	suspended BOOLEAN NOT NULL, 
	leech BOOLEAN NOT NULL, 
	CONSTRAINT pk_cards PRIMARY KEY (profile_id, question_id), 
	CONSTRAINT ck_cards_status CHECK (status BETWEEN 0 AND 3), 
	CONSTRAINT fk_cards_profile_id_profiles FOREIGN KEY(profile_id) REFERENCES profiles (id)
);

CREATE TABLE profiles (
	id INTEGER NOT NULL, 
	name VARCHAR(100) NOT NULL, 
	created_at DATETIME NOT NULL, 
	CONSTRAINT pk_profiles PRIMARY KEY (id), 
	CONSTRAINT uq_profiles_name UNIQUE (name)
);

CREATE TABLE question_edits (
	id INTEGER NOT NULL, 
	question_id VARCHAR(200) NOT NULL, 
	old_hash VARCHAR(128) NOT NULL, 
	new_hash VARCHAR(128) NOT NULL, 
	edited_at DATETIME NOT NULL, 
	CONSTRAINT pk_question_edits PRIMARY KEY (id), 
	CONSTRAINT fk_question_edits_question_id_questions FOREIGN KEY(question_id) REFERENCES questions (id)
);

CREATE TABLE questions (
	id VARCHAR(200) NOT NULL, 
	content_hash VARCHAR(128) NOT NULL, 
	kind VARCHAR(16) NOT NULL, 
	title TEXT NOT NULL, 
	file TEXT NOT NULL, 
	line INTEGER NOT NULL, 
	syllabus JSON NOT NULL, 
	course VARCHAR(200) NOT NULL, 
	payload JSON NOT NULL, 
	first_seen DATETIME NOT NULL, 
	updated_at DATETIME NOT NULL, 
	retired_at DATETIME, 
	CONSTRAINT pk_questions PRIMARY KEY (id)
);

CREATE TABLE reviews (
	id INTEGER NOT NULL, 
	profile_id INTEGER NOT NULL, 
	question_id VARCHAR(200) NOT NULL, 
	session_id INTEGER, 
	rating SMALLINT NOT NULL, 
	correct BOOLEAN, 
	answer TEXT, 
	duration_ms INTEGER, 
	reviewed_at DATETIME NOT NULL, 
	moves_schedule BOOLEAN NOT NULL, 
	CONSTRAINT pk_reviews PRIMARY KEY (id), 
	CONSTRAINT ck_reviews_rating CHECK (rating BETWEEN 1 AND 4), 
	CONSTRAINT fk_reviews_profile_id_profiles FOREIGN KEY(profile_id) REFERENCES profiles (id), 
	CONSTRAINT fk_reviews_session_id_study_sessions FOREIGN KEY(session_id) REFERENCES study_sessions (id)
);

CREATE TABLE schema_migrations (
	version INTEGER NOT NULL, 
	description TEXT NOT NULL, 
	applied_at DATETIME NOT NULL, 
	CONSTRAINT pk_schema_migrations PRIMARY KEY (version)
);

CREATE TABLE settings (
	profile_id INTEGER NOT NULL, 
	"key" VARCHAR(64) NOT NULL, 
	value JSON NOT NULL, 
	CONSTRAINT pk_settings PRIMARY KEY (profile_id, "key"), 
	CONSTRAINT fk_settings_profile_id_profiles FOREIGN KEY(profile_id) REFERENCES profiles (id)
);

CREATE TABLE study_sessions (
	id INTEGER NOT NULL, 
	profile_id INTEGER NOT NULL, 
	kind VARCHAR(16) NOT NULL, 
	started_at DATETIME NOT NULL, 
	ended_at DATETIME, 
	details JSON NOT NULL, 
	CONSTRAINT pk_study_sessions PRIMARY KEY (id), 
	CONSTRAINT ck_study_sessions_kind CHECK (kind IN ('review', 'drill', 'exam')), 
	CONSTRAINT fk_study_sessions_profile_id_profiles FOREIGN KEY(profile_id) REFERENCES profiles (id)
);

CREATE INDEX ix_cards_profile_id_due ON cards (profile_id, due);

CREATE INDEX ix_question_edits_question_id ON question_edits (question_id);

CREATE INDEX ix_reviews_card_history ON reviews (profile_id, question_id, reviewed_at, id, rating, correct, duration_ms);

CREATE INDEX ix_reviews_profile_id_reviewed_at ON reviews (profile_id, reviewed_at);

CREATE INDEX ix_reviews_session_id_id ON reviews (session_id, id);

CREATE INDEX ix_study_sessions_profile_id_started_at ON study_sessions (profile_id, started_at);

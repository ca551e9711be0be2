import { OneTimeToken } from '../account/entities/one-time-token.entity';
import { RecoveryCode } from '../account/entities/recovery-code.entity';
import { UserMfa } from '../account/entities/user-mfa.entity';
import { RevocationOutboxEntry } from '../tokens/entities/revocation-outbox.entity';
import { Session } from '../tokens/entities/session.entity';
import { Token } from '../tokens/entities/token.entity';
import { User } from '../users/entities/user.entity';
import { InitialSchema1764000000000 } from './migrations/1764000000000-InitialSchema';
import { Sessions1764100000000 } from './migrations/1764100000000-Sessions';
import { AccountLifecycle1764300000000 } from './migrations/1764300000000-AccountLifecycle';
import { RevocationOutbox1764400000000 } from './migrations/1764400000000-RevocationOutbox';

/** What an application that imports AuthModule registers with its own TypeORM connection. */
export const GATEHOUSE_ENTITIES = [
  User,
  Token,
  Session,
  RevocationOutboxEntry,
  OneTimeToken,
  UserMfa,
  RecoveryCode,
];

/** Gatehouse's own tables and nothing else: the example resource's are the server's. */
export const GATEHOUSE_MIGRATIONS = [
  InitialSchema1764000000000,
  Sessions1764100000000,
  AccountLifecycle1764300000000,
  RevocationOutbox1764400000000,
];

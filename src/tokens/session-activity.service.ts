import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LRUCache } from 'lru-cache';
import { Repository } from 'typeorm';
import { Session } from './entities/session.entity';

/** A session's "last used" is written at most this often per instance: requests stay read-only. */
export const ACTIVITY_WRITE_INTERVAL_MS = 60_000;

/** Records when each session was last used, without a write on every request. */
@Injectable()
export class SessionActivityService {
  private readonly logger = new Logger(SessionActivityService.name);
  private readonly lastWritten = new LRUCache<string, number>({ max: 100_000 });

  constructor(@InjectRepository(Session) private readonly sessions: Repository<Session>) {}

  touch(sessionId: string, now = Date.now()): void {
    const last = this.lastWritten.get(sessionId);
    if (last !== undefined && now - last < ACTIVITY_WRITE_INTERVAL_MS) return;
    this.lastWritten.set(sessionId, now);
    this.sessions.update({ id: sessionId }, { lastUsedAt: new Date(now) }).catch((error: Error) => {
      this.logger.warn(`could not record session activity: ${error.message}`);
    });
  }
}

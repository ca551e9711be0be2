import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AuditLog } from '../common/audit/audit-log.service';
import { RevocationReason } from '../tokens/entities/token.entity';
import { TokenRevocationService } from '../tokens/token-revocation.service';
import { UpdateUserDto } from '../users/dto/update-user.dto';
import { UserPage, UserResponse } from '../users/dto/user.response';
import { UsersService } from '../users/users.service';
import type { ClientInfo } from '../core/client-info';

/** What admins do to accounts: list, disable, change roles, end sessions. */
@Injectable()
export class UserAdminService {
  constructor(
    private readonly users: UsersService,
    private readonly revocation: TokenRevocationService,
    private readonly audit: AuditLog,
  ) {}

  async list(limit: number, offset: number): Promise<UserPage> {
    const { items, total } = await this.users.list(limit, offset);
    return { items: items.map((u) => UserResponse.from(u)), total, limit, offset };
  }

  /** `actorId`: the admin making the change, and `client` the request, for the audit trail. */
  async update(
    id: string,
    change: UpdateUserDto,
    actorId?: string,
    client?: ClientInfo,
  ): Promise<UserResponse> {
    const user = await this.users.getById(id);
    const roles = change.roles ? [...new Set(change.roles)] : undefined;
    const disable = change.disabled !== undefined && change.disabled !== user.disabled;
    let endSessions: RevocationReason | undefined;
    if (roles && user.roles.some((role) => !roles.includes(role)))
      endSessions = RevocationReason.Admin;
    if (disable && change.disabled) endSessions = RevocationReason.UserDisabled;
    const apply = async (manager?: EntityManager) => {
      if (roles) await this.users.setRoles(id, roles, manager);
      if (disable) await this.users.setDisabled(id, change.disabled as boolean, manager);
    };
    let revokedTokens = 0;
    if (endSessions) {
      // One transaction: an account is never left disabled, or without a role, while the
      // sessions that predate the change live on.
      revokedTokens = await this.revocation.revokeAllForUser(id, endSessions, undefined, apply);
    } else {
      await apply();
    }
    this.audit.record('admin.user_updated', {
      ...client,
      actorId,
      userId: id,
      ...(change.disabled !== undefined ? { disabled: change.disabled } : {}),
      ...(roles ? { roles } : {}),
      reason: endSessions,
      revokedTokens,
    });
    return UserResponse.from(await this.users.getById(id));
  }

  async revokeSessions(id: string, actorId?: string, client?: ClientInfo): Promise<number> {
    await this.users.getById(id);
    const revokedTokens = await this.revocation.revokeAllForUser(id, RevocationReason.Admin);
    this.audit.record('admin.sessions_revoked', { ...client, actorId, userId: id, revokedTokens });
    return revokedTokens;
  }
}

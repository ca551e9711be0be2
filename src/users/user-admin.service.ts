import { Injectable, Logger } from '@nestjs/common';
import { RevocationReason } from '../tokens/entities/token.entity';
import { TokenRevocationService } from '../tokens/token-revocation.service';
import { UpdateUserDto } from './dto/update-user.dto';
import { UserPage, UserResponse } from './dto/user.response';
import { UsersService } from './users.service';

/** What admins do to accounts: list, disable, change roles, end sessions. */
@Injectable()
export class UserAdminService {
  private readonly logger = new Logger(UserAdminService.name);

  constructor(
    private readonly users: UsersService,
    private readonly revocation: TokenRevocationService,
  ) {}

  async list(limit: number, offset: number): Promise<UserPage> {
    const { items, total } = await this.users.list(limit, offset);
    return { items: items.map((u) => UserResponse.from(u)), total, limit, offset };
  }

  async update(id: string, change: UpdateUserDto): Promise<UserResponse> {
    const user = await this.users.getById(id);
    let endSessions: RevocationReason | undefined;
    if (change.roles) {
      const roles = [...new Set(change.roles)];
      if (user.roles.some((role) => !roles.includes(role))) endSessions = RevocationReason.Admin;
      await this.users.setRoles(id, roles);
    }
    if (change.disabled !== undefined && change.disabled !== user.disabled) {
      await this.users.setDisabled(id, change.disabled);
      if (change.disabled) endSessions = RevocationReason.UserDisabled;
    }
    if (endSessions) {
      const count = await this.revocation.revokeAllForUser(id, endSessions);
      this.logger.log(`user ${id}: ${endSessions}, ${count} token(s) revoked`);
    }
    return UserResponse.from(await this.users.getById(id));
  }

  async revokeSessions(id: string): Promise<number> {
    await this.users.getById(id);
    return this.revocation.revokeAllForUser(id, RevocationReason.Admin);
  }
}

import { AuditLog } from '../common/audit/audit-log.service';
import { ErrorCode, DomainError } from '../common/errors/domain-error';
import { RevocationReason } from '../tokens/entities/token.entity';
import { TokenRevocationService } from '../tokens/token-revocation.service';
import { User } from '../users/entities/user.entity';
import { UserAdminService } from './user-admin.service';
import { UsersService } from '../users/users.service';

const user = (patch: Partial<User> = {}): User =>
  Object.assign(new User(), {
    id: 'u1',
    email: 'a@b.co',
    passwordHash: 'h',
    roles: ['user', 'admin'],
    disabled: false,
    createdAt: new Date(),
    updatedAt: new Date(),
    ...patch,
  });

describe('UserAdminService', () => {
  const users = {
    getById: jest.fn(),
    setRoles: jest.fn(),
    setDisabled: jest.fn(),
    list: jest.fn(),
  };
  /** Stands for the revoking transaction, which the account change joins. */
  const transaction = { name: 'revoking transaction' };
  const revocation = {
    revokeAllForUser: jest.fn(
      async (
        _id: string,
        _reason: string,
        _except?: string,
        alongside?: (m: unknown) => Promise<void>,
      ) => {
        await alongside?.(transaction);
        return 3;
      },
    ),
  };
  const audit = { record: jest.fn(), warn: jest.fn() };
  const service = new UserAdminService(
    users as unknown as UsersService,
    revocation as unknown as TokenRevocationService,
    audit as unknown as AuditLog,
  );
  beforeEach(() => {
    jest.clearAllMocks();
    users.getById.mockResolvedValue(user());
  });

  it('disabling ends every session of the user, in the same transaction', async () => {
    await service.update('u1', { disabled: true });
    expect(users.setDisabled).toHaveBeenCalledWith('u1', true, transaction);
    expect(revocation.revokeAllForUser).toHaveBeenCalledWith(
      'u1',
      RevocationReason.UserDisabled,
      undefined,
      expect.any(Function),
    );
  });

  it('changes nothing when the sessions cannot be ended', async () => {
    revocation.revokeAllForUser.mockRejectedValueOnce(new Error('database gone'));
    await expect(service.update('u1', { disabled: true })).rejects.toThrow('database gone');
    expect(users.setDisabled).not.toHaveBeenCalled();
    expect(audit.record).not.toHaveBeenCalled();
  });

  it('audits who changed the account, and how many tokens went', async () => {
    await service.update('u1', { disabled: true }, 'admin-7');
    expect(audit.record).toHaveBeenCalledWith('admin.user_updated', {
      actorId: 'admin-7',
      userId: 'u1',
      disabled: true,
      reason: RevocationReason.UserDisabled,
      revokedTokens: 3,
    });
    await service.revokeSessions('u1', 'admin-7');
    expect(audit.record).toHaveBeenLastCalledWith('admin.sessions_revoked', {
      actorId: 'admin-7',
      userId: 'u1',
      revokedTokens: 3,
    });
  });

  it('enabling ends nothing', async () => {
    users.getById.mockResolvedValue(user({ disabled: true }));
    await service.update('u1', { disabled: false });
    expect(revocation.revokeAllForUser).not.toHaveBeenCalled();
    expect(users.setDisabled).toHaveBeenCalledWith('u1', false, undefined);
  });

  it('removing a role ends the sessions that carry it; adding one does not', async () => {
    await service.update('u1', { roles: ['user'] });
    expect(users.setRoles).toHaveBeenCalledWith('u1', ['user'], transaction);
    expect(revocation.revokeAllForUser).toHaveBeenCalledWith(
      'u1',
      RevocationReason.Admin,
      undefined,
      expect.any(Function),
    );
    revocation.revokeAllForUser.mockClear();
    users.getById.mockResolvedValue(user({ roles: ['user'] }));
    await service.update('u1', { roles: ['user', 'admin', 'admin'] });
    expect(users.setRoles).toHaveBeenLastCalledWith('u1', ['user', 'admin'], undefined);
    expect(revocation.revokeAllForUser).not.toHaveBeenCalled();
  });

  it('answers NOT_FOUND for an unknown user before revoking anything', async () => {
    users.getById.mockRejectedValue(new DomainError(ErrorCode.NotFound, 'User not found'));
    await expect(service.revokeSessions('nope')).rejects.toMatchObject({
      code: ErrorCode.NotFound,
    });
    expect(revocation.revokeAllForUser).not.toHaveBeenCalled();
    expect(audit.record).not.toHaveBeenCalled();
  });
});

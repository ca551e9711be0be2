import { Test, TestingModule } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { sqliteMemoryModule } from '../../../test/support/unit';
import { ErrorCode, GatehouseUserEntity as User } from '../../index';
import { Note } from './entities/note.entity';
import { NotesService } from './notes.service';

describe('NotesService', () => {
  let moduleRef: TestingModule;
  let notes: NotesService;
  let alice: string;
  let bob: string;

  beforeEach(async () => {
    moduleRef = await Test.createTestingModule({
      imports: [sqliteMemoryModule(), TypeOrmModule.forFeature([Note])],
      providers: [NotesService],
    }).compile();
    await moduleRef.init();
    notes = moduleRef.get(NotesService);
    const users = moduleRef.get(DataSource).getRepository(User);
    const make = (email: string) =>
      users.save(users.create({ email, passwordHash: 'x', roles: [] }));
    alice = (await make('alice@example.com')).id;
    bob = (await make('bob@example.com')).id;
  });
  afterEach(() => moduleRef.close());

  it("lists only the owner's notes", async () => {
    await notes.create(alice, 'a', 'body');
    await notes.create(bob, 'b', 'body');
    expect((await notes.listFor(alice)).map((n) => n.title)).toEqual(['a']);
  });

  it("hides another user's note as not found, for reading and deleting", async () => {
    const note = await notes.create(alice, 'a', 'body');
    await expect(notes.getFor(bob, note.id)).rejects.toMatchObject({ code: ErrorCode.NotFound });
    await expect(notes.deleteFor(bob, note.id)).rejects.toMatchObject({ code: ErrorCode.NotFound });
    await expect(notes.getFor(alice, note.id)).resolves.toMatchObject({ title: 'a' });
    await notes.deleteFor(alice, note.id);
    await expect(notes.getFor(alice, note.id)).rejects.toMatchObject({ code: ErrorCode.NotFound });
  });
});

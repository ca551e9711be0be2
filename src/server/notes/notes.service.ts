import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { DomainError, ErrorCode } from '../../index';
import { Note } from './entities/note.entity';

/** Notes scoped to their owner: one user never sees or deletes another's. */
@Injectable()
export class NotesService {
  constructor(@InjectRepository(Note) private readonly notes: Repository<Note>) {}

  listFor(ownerId: string): Promise<Note[]> {
    return this.notes.find({ where: { ownerId }, order: { createdAt: 'DESC' }, take: 100 });
  }

  create(ownerId: string, title: string, body: string): Promise<Note> {
    return this.notes.save(this.notes.create({ ownerId, title, body }), { transaction: false });
  }

  async getFor(ownerId: string, id: string): Promise<Note> {
    const note = await this.notes.findOneBy({ id, ownerId });
    // Someone else's note answers like a missing one: its existence is not the caller's business.
    if (!note) throw new DomainError(ErrorCode.NotFound, 'Note not found');
    return note;
  }

  async deleteFor(ownerId: string, id: string): Promise<void> {
    const { affected } = await this.notes.delete({ id, ownerId });
    if (!affected) throw new DomainError(ErrorCode.NotFound, 'Note not found');
  }
}

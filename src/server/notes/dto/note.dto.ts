import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';
import { Note } from '../entities/note.entity';

export class CreateNoteDto {
  @ApiProperty({ example: 'Rotate the signing key', maxLength: 200 })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  title!: string;

  @ApiProperty({ example: 'Before the end of the quarter.', maxLength: 10000 })
  @IsString()
  @MaxLength(10000)
  body!: string;
}

export class NoteResponse {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() title!: string;
  @ApiProperty() body!: string;
  @ApiProperty() createdAt!: Date;

  static from({ id, title, body, createdAt }: Note): NoteResponse {
    return { id, title, body, createdAt };
  }
}

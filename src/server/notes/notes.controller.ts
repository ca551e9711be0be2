import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  ParseUUIDPipe,
  Post,
  UseGuards,
} from '@nestjs/common';
import { ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
// The example resource is host code: it reaches Gatehouse through the package's public face only.
import { CurrentUser, ErrorBody, JwtAuthGuard } from '../../index';
import type { AuthUser } from '../../index';
import { CreateNoteDto, NoteResponse } from './dto/note.dto';
import { NotesService } from './notes.service';

/**
 * The example resource, guarded the way teams guard their own controllers: `@UseGuards(JwtAuthGuard)`
 * on each route and `@CurrentUser()` for the caller. With the global guard on (the default) the
 * route guard costs nothing more; it keeps the routes protected if the global guard is removed.
 */
@ApiTags('notes (example)')
@ApiNotFoundResponse({ type: ErrorBody })
@Controller('notes')
export class NotesController {
  constructor(private readonly notes: NotesService) {}

  @UseGuards(JwtAuthGuard)
  @Get()
  @ApiOkResponse({ type: [NoteResponse] })
  async list(@CurrentUser() caller: AuthUser): Promise<NoteResponse[]> {
    return (await this.notes.listFor(caller.id)).map((n) => NoteResponse.from(n));
  }

  @UseGuards(JwtAuthGuard)
  @Post()
  @ApiCreatedResponse({ type: NoteResponse })
  async create(@CurrentUser() caller: AuthUser, @Body() dto: CreateNoteDto): Promise<NoteResponse> {
    return NoteResponse.from(await this.notes.create(caller.id, dto.title, dto.body));
  }

  @UseGuards(JwtAuthGuard)
  @Get(':id')
  @ApiOkResponse({ type: NoteResponse })
  async get(
    @CurrentUser() caller: AuthUser,
    @Param('id', new ParseUUIDPipe({ version: '4' })) id: string,
  ): Promise<NoteResponse> {
    return NoteResponse.from(await this.notes.getFor(caller.id, id));
  }

  @UseGuards(JwtAuthGuard)
  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  async remove(
    @CurrentUser() caller: AuthUser,
    @Param('id', new ParseUUIDPipe({ version: '4' })) id: string,
  ): Promise<void> {
    await this.notes.deleteFor(caller.id, id);
  }
}

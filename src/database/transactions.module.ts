import { Module } from '@nestjs/common';
import { Transactions } from './transactions.service';

/** Database transactions for Gatehouse's services, on whichever DataSource the app provides. */
@Module({ providers: [Transactions], exports: [Transactions] })
export class TransactionsModule {}

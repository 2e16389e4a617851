import { Module } from '@nestjs/common';

/** Root module of the notification service; its business modules are imported here. */
@Module({})
export class AppModule {}

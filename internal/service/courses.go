package service

import (
	"context"

	"github.com/envhome/envhome/internal/model"
)

// courseRights sets the rights of a course and of its upcoming classes.
func (s *Service) courseRights(ctx context.Context, c *access, co *model.Course) *model.Course {
	co.Can = co.Rights(c.a)
	for i := range co.Upcoming {
		s.classRights(ctx, c, &co.Upcoming[i])
	}
	return co
}

func (s *Service) withCourseRights(ctx context.Context, a model.Actor, co *model.Course, err error) (*model.Course, error) {
	if err != nil {
		return nil, err
	}
	return s.courseRights(ctx, s.access(a), co), nil
}

// Course returns a course with its lecturers, materials and upcoming
// classes, and the actor's rights.
func (s *Service) Course(ctx context.Context, a model.Actor, id int64) (*model.Course, error) {
	co, err := s.Store.Course(ctx, a, id)
	return s.withCourseRights(ctx, a, co, err)
}

// Catalogue lists courses, each with the actor's rights.
func (s *Service) Catalogue(ctx context.Context, a model.Actor, f model.CourseFilter, p model.Page) (model.List[*model.Course], error) {
	l, err := s.Store.Catalogue(ctx, a, f, p)
	if err != nil {
		return l, err
	}
	c := s.access(a)
	for _, co := range l.Items {
		s.courseRights(ctx, c, co)
	}
	return l, nil
}

// SaveCourse creates (id 0) or changes a course.
func (s *Service) SaveCourse(ctx context.Context, a model.Actor, co *model.Course) (*model.Course, error) {
	out, err := s.Store.SaveCourse(ctx, a, co)
	return s.withCourseRights(ctx, a, out, err)
}

// AdoptTopic turns a topic that enterprises asked for into a course.
func (s *Service) AdoptTopic(ctx context.Context, a model.Actor, topicID int64, co *model.Course) (*model.Course, error) {
	out, err := s.Store.AdoptTopic(ctx, a, topicID, co)
	return s.withCourseRights(ctx, a, out, err)
}
